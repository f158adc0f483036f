"""The words demo data is made of: names, trades, violations, licences and dishonesty lists.

Pure data, no logic: generate.py combines it. Department-specific entries are keyed by domain code
(stable across cities); the few keyed by department code (document number prefixes) fall back to
a generic form, so the generator still works with another city's reference data.
"""

from typing import NamedTuple

# -- people -----------------------------------------------------------------------------------

# Repeated entries weight the draw: 王, 李, 张 and, in Gansu, 马 are the most common surnames.
SURNAMES = (
    "王王王王李李李李张张张张刘刘刘陈陈杨杨杨赵赵黄周吴徐孙马马马马朱胡郭何何高林罗"
    "魏魏牛牛苏董段韩冯曹彭石蒲雷田任姚金安丁白包妥火汪蔡孔达"
)
GIVEN_MALE = "伟强军建国明辉勇涛斌鹏飞华平东海宏峰刚杰磊俊文志学永福成忠德荣龙彪鑫浩宇博天晨铭兴旺山"
GIVEN_FEMALE = "丽芳娟敏静燕霞红梅玲英萍华雪琴蓉莉艳婷慧洁琳玉兰春秀佳欣悦雯婧瑶"

# -- business names ---------------------------------------------------------------------------

# 字号 (trade names): two characters drawn from these, or one of the local words below.
TRADE_NAME_FIRST = "金鑫华恒宏瑞祥泰兴隆昌盛丰源达通顺信诚德润和安康嘉佳汇聚博远鼎海天中新凯锦鸿旭晟弘卓宇辉翔睿泽峰众明合益正美"
TRADE_NAME_SECOND = "鑫华恒宏瑞祥泰兴隆昌盛丰源达通顺信诚德润和安康嘉佳汇博远鼎海天凯锦鸿旭晟弘卓宇辉翔睿泽峰众明合益美成盈"
LOCAL_TRADE_NAMES = (
    "金城", "黄河", "陇原", "丝路", "皋兰山", "白塔", "五泉", "雁滩", "兰山", "西域", "陇上", "河湟", "敦煌",
    "祁连", "马家窑", "八宝", "百合", "中山桥", "陇海", "西部", "兴陇", "金轮", "新港",
)

CITY_PREFIXES = ("兰州", "兰州", "兰州", "兰州", "兰州市", "甘肃")
# (name ending, 主体类型 in the register, weight)
COMPANY_FORMS = (
    ("有限公司", "有限责任公司（自然人投资或控股）", 50),
    ("有限公司", "有限责任公司（自然人独资）", 20),
    ("有限责任公司", "有限责任公司（自然人投资或控股）", 20),
    ("有限公司", "有限责任公司（国有控股）", 2),
    ("股份有限公司", "股份有限公司（非上市、自然人投资或控股）", 4),
    ("集团有限公司", "有限责任公司（自然人投资或控股）", 2),
)
BRANCH_TYPE = "有限责任公司分公司（自然人投资或控股）"
SOLE_FORMS = ("中心", "商行", "经营部", "工作室")
SOLE_TYPE = "个人独资企业"
PARTNERSHIP_NAMES = (
    ("企业管理咨询合伙企业（有限合伙）", "有限合伙企业"),
    ("股权投资合伙企业（有限合伙）", "有限合伙企业"),
    ("会计师事务所（普通合伙）", "普通合伙企业"),
    ("商务信息咨询中心（普通合伙）", "普通合伙企业"),
)
INDIVIDUAL_TYPE = "个体工商户"
COOPERATIVE_TYPE = "农民专业合作社"
COOPERATIVE_PRODUCTS = (
    "蔬菜种植", "高原夏菜种植", "百合种植", "玫瑰种植", "马铃薯种植", "中药材种植", "畜禽养殖", "肉牛养殖", "软儿梨种植",
    "农机服务",
)
# Towns of the counties and outer districts, where most cooperatives are registered.
TOWNS = {
    "620103": ("魏岭乡", "黄峪镇", "西果园镇"),
    "620104": ("河口镇", "达川镇"),
    "620111": ("花庄镇", "平安镇", "红古镇"),
    "620121": ("苦水镇", "红城镇", "中堡镇", "柳树镇", "树屏镇"),
    "620122": ("什川镇", "石洞镇", "忠和镇", "水阜镇", "黑石镇"),
    "620123": ("金崖镇", "和平镇", "定远镇", "夏官营镇", "青城镇", "高崖镇"),
    "620171": ("中川镇", "秦川镇", "西岔镇"),
}
# Where entities are registered: 城关区 most, the counties fewer. Unknown districts weigh 1.
DISTRICT_WEIGHTS = {"620102": 9, "620103": 5, "620104": 3, "620105": 3, "620111": 1, "620121": 2, "620122": 1,
                    "620123": 2, "620171": 2}
# Cooperatives are rural.
COOPERATIVE_DISTRICTS = ("620121", "620122", "620123", "620111", "620103", "620171")

# Register status (登记状态) as the register writes it, with weights.
STATUSES = (("存续（在营、开业、在册）", 94), ("在业", 2), ("吊销，未注销", 2), ("注销", 2))

# Names that test the whole path: characters outside the BMP or in CJK extension A, and a name with
# quotes and a comma (CSV quoting). (name, kind, trade index in INDUSTRIES, district)
SPECIAL_NAMES = (
    ("兰州𡃁仔餐饮管理有限公司", "company", 0, "620102"),
    ("城关区䶮记牛肉面馆", "individual", 0, "620102"),
    ('兰州"金城,老街"文化传媒有限公司', "company", 8, "620103"),
)


class Industry(NamedTuple):
    company: str  # 兰州<字号><company>有限公司
    shops: tuple[str, ...]  # 城关区<字号><shop> for 个体工商户; empty: no such shops
    domains: tuple[str, ...]  # domains whose departments watch this trade, most likely first
    licences: tuple[str, ...]  # keys of LICENCES, most likely first


INDUSTRIES = (
    Industry("餐饮管理", ("牛肉面馆", "餐饮店", "小吃店", "烧烤店", "火锅店", "面馆"),
             ("market-regulation", "fire-safety", "urban-management", "ecology-environment", "ethnic-religious", "health"),
             ("food", "halal", "fire_open")),
    Industry("商贸", ("便利店", "副食店", "烟酒店", "商行", "超市"),
             ("market-regulation", "tobacco-monopoly", "commerce", "urban-management", "intellectual-property"),
             ("food", "tobacco")),
    Industry("建筑工程", ("装饰部",),
             ("housing-construction", "work-safety", "human-resources", "natural-resources", "urban-management",
              "ecology-environment"),
             ("construction", "construction_safety")),
    Industry("房地产开发", (),
             ("housing-construction", "natural-resources", "civil-air-defense", "earthquake", "meteorology"),
             ("developer", "planning", "air_defense", "seismic")),
    Industry("物流", ("货运部",),
             ("transport", "work-safety", "public-security", "fire-safety"),
             ("road_transport",)),
    Industry("医药连锁", ("大药房", "诊所"),
             ("market-regulation", "medical-security", "health"),
             ("drug", "clinic")),
    Industry("石化设备", (),
             ("ecology-environment", "work-safety", "fire-safety", "industry-it", "meteorology"),
             ("discharge", "hazchem")),
    Industry("信息科技", ("电脑店",),
             ("science-technology", "public-security", "intellectual-property", "statistics"),
             ()),
    Industry("文化传媒", ("网吧", "歌舞厅", "书店"),
             ("culture-tourism", "public-security", "fire-safety", "market-regulation"),
             ("internet_cafe", "entertainment", "publication")),
    Industry("酒店管理", ("宾馆", "旅社", "洗浴中心"),
             ("public-security", "health", "fire-safety", "culture-tourism"),
             ("lodging", "public_health", "fire_open")),
    Industry("国际旅行社", (),
             ("culture-tourism", "market-regulation"),
             ("travel_agency",)),
    Industry("农业科技", ("农资店", "种子店"),
             ("agriculture-rural", "forestry-grassland", "water-resources", "grain-reserves"),
             ("pesticide", "seed", "water_draw")),
    Industry("教育咨询", ("培训部",),
             ("education", "market-regulation", "fire-safety"),
             ("private_school",)),
    Industry("汽车销售服务", ("汽车修理部", "洗车行"),
             ("transport", "ecology-environment", "market-regulation", "fire-safety"),
             ()),
    Industry("物业管理", (),
             ("housing-construction", "fire-safety", "urban-management", "housing-fund", "human-resources"),
             ()),
    Industry("劳务派遣", (),
             ("human-resources", "housing-fund", "medical-security", "veterans-affairs"),
             ("labour_dispatch", "hr_service")),
    Industry("机械制造", ("五金店",),
             ("work-safety", "ecology-environment", "industry-it", "statistics", "market-regulation"),
             ("discharge",)),
    Industry("体育文化", ("健身房", "游泳馆"),
             ("sports", "health", "fire-safety", "market-regulation"),
             ("high_risk_sport", "public_health")),
    Industry("养老服务", (),
             ("civil-affairs", "health", "fire-safety", "medical-security"),
             ()),
    Industry("粮油贸易", ("粮油店",),
             ("grain-reserves", "market-regulation", "taxation"),
             ("food",)),
    Industry("财务咨询", (),
             ("finance", "taxation", "justice"),
             ("bookkeeping",)),
    Industry("环保科技", (),
             ("ecology-environment", "urban-management", "development-reform"),
             ("waste",)),
    Industry("广告", ("广告部",),
             ("market-regulation", "urban-management"),
             ("outdoor_ad",)),
    Industry("新型建材", (),
             ("development-reform", "ecology-environment", "work-safety", "industry-it", "market-regulation"),
             ("discharge",)),
    Industry("庆典礼仪服务", ("婚庆店",),
             ("meteorology", "public-security", "urban-management"),
             ("balloon",)),
)
# Branches, sole proprietorships and partnerships are drawn from these trades (indexes above).
BRANCH_INDUSTRIES = (0, 1, 2, 4, 5, 9, 13, 19)
SOLE_INDUSTRIES = (1, 7, 8, 12, 20, 22)
PARTNERSHIP_INDUSTRY = 20
COOPERATIVE_INDUSTRY = 11

# Domains any employer or taxpayer meets, with weights relative to a trade's own domains (6 each).
GENERAL_DOMAINS = (
    ("taxation", 4), ("human-resources", 2), ("statistics", 1), ("housing-fund", 1), ("fire-safety", 1),
    ("medical-security", 1), ("finance", 0.5), ("veterans-affairs", 0.2), ("audit", 0.2), ("development-reform", 0.3),
)
TRADE_DOMAIN_WEIGHT = 6
# Besides its own domain, a department may file records in these (brief §3: 市场监管 also 知识产权).
EXTRA_DOMAINS = {"market-regulation": ("intellectual-property",)}
EXTRA_DOMAIN_SHARE = 0.1

# -- document numbers -------------------------------------------------------------------------

# Prefix of a department's document numbers: 兰市监罚〔2024〕123号. Others: city initial + name.
DOC_PREFIXES = {
    "drc": "兰发改", "edu": "兰教", "sci": "兰科", "miit": "兰工信", "ethnic": "兰民宗", "police": "兰公",
    "civil": "兰民", "justice": "兰司", "finance": "兰财", "hrss": "兰人社", "nr": "兰自然资", "eco": "兰环",
    "housing": "兰建", "transport": "兰交运", "water": "兰水务", "agri": "兰农", "commerce": "兰商", "culture": "兰文旅",
    "health": "兰卫", "veterans": "兰退役", "emergency": "兰应急", "audit": "兰审", "forestry": "兰林",
    "amr": "兰市监", "amr-chengguan": "城关市监", "amr-qilihe": "七里河市监", "amr-xinqu": "兰新市监", "ip": "兰知",
    "sports": "兰体", "stats": "兰统", "civil-defense": "兰人防", "medical": "兰医保", "grain": "兰粮",
    "urban": "兰城管", "housing-fund": "兰公积金", "tax": "兰税稽", "meteo": "兰气", "quake": "兰震", "fire": "兰消",
    "tobacco": "兰烟",
}
# Court case numbers name the province: （2024）甘0102执1234号.
PROVINCE_ABBREVIATIONS = {"62": "甘", "11": "京", "31": "沪", "44": "粤", "51": "川", "61": "陕", "63": "青", "64": "宁"}

# -- penalties --------------------------------------------------------------------------------


class Violation(NamedTuple):
    type: str  # 违法行为类型
    facts: str  # 违法事实, after an inspection date
    basis: str  # 处罚依据
    categories: str  # 处罚类别 (行政处罚法 Art. 9)
    content: str  # 处罚内容; {fine} and {conf} are amounts in 元
    fine: tuple[int, int] | None = None  # range of the fine in 元
    conf: tuple[int, int] | None = None  # range of the confiscated amount in 元
    licence: str = ""  # 暂扣或吊销证照名称
    simple: bool = False  # may be decided on the spot (简易程序: a warning or up to 3,000 元 for organisations)


V = Violation
VIOLATIONS: dict[str, tuple[Violation, ...]] = {
    "development-reform": (
        V("企业投资项目未依法办理核准手续开工建设", "检查发现当事人投资建设的项目属于核准管理范围，未依法办理核准手续即擅自开工建设。",
          "《企业投资项目核准和备案管理条例》第十八条", "罚款", "责令停止建设，处罚款{fine}元", (20000, 200000)),
        V("重点用能单位未按规定报送能源利用状况报告", "当事人作为重点用能单位，未按规定报送上一年度能源利用状况报告，经责令限期改正逾期仍未改正。",
          "《中华人民共和国节约能源法》第八十二条", "罚款", "处罚款{fine}元", (10000, 50000)),
    ),
    "education": (
        V("擅自举办校外培训机构", "检查发现当事人未经审批，擅自面向中小学生开展学科类校外培训活动，并收取培训费用。",
          "《校外培训行政处罚暂行办法》第十三条", "没收违法所得；罚款", "责令停止举办，退还所收费用，没收违法所得{conf}元，并处罚款{fine}元",
          (10000, 100000), (5000, 60000)),
    ),
    "science-technology": (
        V("以虚报方式骗取财政性科学技术资金", "当事人在申报市级科技计划项目时虚报研发投入，骗取财政性科学技术资金。",
          "《中华人民共和国科学技术进步法》第一百一十三条", "警告；罚款", "责令改正，给予警告，追回骗取的资金，并处罚款{fine}元",
          (10000, 100000)),
    ),
    "industry-it": (
        V("使用国家明令淘汰的用能设备", "节能监察发现当事人仍在使用国家明令淘汰的高耗能电机等用能设备。",
          "《中华人民共和国节约能源法》第七十一条", "没收非法财物", "责令停止使用，没收国家明令淘汰的用能设备"),
        V("超过单位产品能耗限额标准用能", "经节能监察，当事人主要产品单位能耗超过国家规定的限额标准，经限期治理逾期未完成。",
          "《中华人民共和国节约能源法》第七十二条", "罚款", "处罚款{fine}元", (20000, 100000)),
    ),
    "ethnic-religious": (
        V("未取得清真食品准营证从事清真食品经营", "检查发现当事人在经营场所悬挂清真标识，但未取得清真食品准营证。",
          "《甘肃省清真食品管理条例》有关规定", "警告；罚款", "责令改正，给予警告，并处罚款{fine}元", (1000, 5000), simple=True),
    ),
    "public-security": (
        V("旅馆未按规定登记住宿旅客信息", "检查发现当事人接待住宿旅客时未按规定查验身份证件并如实登记。",
          "《中华人民共和国治安管理处罚法》第五十六条第一款", "罚款", "处罚款{fine}元", (200, 500), simple=True),
        V("未履行网络安全保护义务", "检查发现当事人未落实网络安全等级保护制度，未采取防范计算机病毒和网络攻击等技术措施。",
          "《中华人民共和国网络安全法》第五十九条第一款", "警告", "责令改正，给予警告"),
    ),
    "civil-affairs": (
        V("养老机构未按规定建立入院评估制度", "检查发现当事人未按规定对老年人进行入院评估，未与老年人或其代理人签订服务协议。",
          "《养老机构管理办法》第四十六条", "警告；罚款", "责令改正，给予警告，并处罚款{fine}元", (3000, 30000)),
    ),
    "justice": (
        V("司法鉴定机构超出登记的业务范围执业", "当事人超出司法行政机关核定的业务范围，受理并出具司法鉴定意见书。",
          "《司法鉴定机构登记管理办法》第三十九条", "警告", "责令改正，给予警告"),
    ),
    "finance": (
        V("未依法设置会计账簿", "检查发现当事人未按照规定设置会计账簿，以个人账户收付单位款项。",
          "《中华人民共和国会计法》第四十二条", "罚款", "责令限期改正，处罚款{fine}元", (3000, 50000)),
        V("政府采购中提供虚假材料谋取中标", "当事人在政府采购项目投标中提供虚假的业绩证明材料，谋取中标。",
          "《中华人民共和国政府采购法》第七十七条", "罚款", "处采购金额千分之五的罚款{fine}元，列入不良行为记录名单",
          (5000, 80000)),
    ),
    "human-resources": (
        V("未按规定缴纳社会保险费", "当事人未按时足额为职工缴纳社会保险费，经责令限期缴纳逾期仍未缴纳。",
          "《中华人民共和国社会保险法》第八十六条", "罚款", "责令补缴，处欠缴数额一倍的罚款{fine}元", (5000, 100000)),
        V("违反工作时间和休息休假规定", "当事人安排劳动者延长工作时间超过法定限额，且未依法支付加班工资。",
          "《劳动保障监察条例》第二十五条", "警告；罚款", "给予警告，责令限期改正，并处罚款{fine}元", (1000, 10000)),
    ),
    "natural-resources": (
        V("未经批准非法占用土地", "当事人未经批准擅自占用集体土地建设厂房及附属设施。",
          "《中华人民共和国土地管理法》第七十七条", "没收非法财物；罚款", "责令退还非法占用的土地，没收在非法占用的土地上新建的建筑物，并处罚款{fine}元",
          (50000, 500000)),
        V("未取得建设工程规划许可证进行建设", "当事人未取得建设工程规划许可证，擅自建设钢结构库房。",
          "《中华人民共和国城乡规划法》第六十四条", "罚款", "责令限期改正，处建设工程造价百分之五的罚款{fine}元", (20000, 300000)),
    ),
    "ecology-environment": (
        V("超标排放大气污染物", "执法人员现场监测，当事人废气排放口颗粒物浓度超过国家规定的排放标准。",
          "《中华人民共和国大气污染防治法》第九十九条", "罚款", "责令改正，处罚款{fine}元", (100000, 500000)),
        V("未依法取得排污许可证排放污染物", "当事人未取得排污许可证，生产过程中排放废水、废气。",
          "《排污许可管理条例》第三十三条", "罚款", "责令改正，处罚款{fine}元", (200000, 500000)),
        V("建设项目环境影响评价文件未经批准擅自开工建设", "当事人建设项目环境影响报告表未经审批即开工建设。",
          "《中华人民共和国环境影响评价法》第三十一条", "罚款", "责令停止建设，处总投资额百分之一的罚款{fine}元",
          (30000, 300000)),
    ),
    "housing-construction": (
        V("施工现场扬尘污染防治措施不到位", "检查发现当事人施工工地裸土未覆盖、运输车辆未冲洗，造成扬尘污染。",
          "《中华人民共和国大气污染防治法》第一百一十五条", "罚款", "责令改正，处罚款{fine}元", (10000, 100000)),
        V("未取得施工许可证擅自施工", "当事人承建的项目未取得建筑工程施工许可证即擅自开工建设。",
          "《建设工程质量管理条例》第五十七条", "罚款", "责令停止施工，限期改正，处工程合同价款百分之一的罚款{fine}元",
          (30000, 300000)),
    ),
    "transport": (
        V("未取得道路运输经营许可擅自从事道路运输经营", "执法人员检查发现当事人车辆未取得道路运输证，从事道路普通货物运输经营。",
          "《中华人民共和国道路运输条例》第六十三条", "罚款", "责令停止经营，处罚款{fine}元", (10000, 30000)),
        V("车辆超限运输", "当事人所属货车在公路超限检测站检测，车货总重超过规定限值。",
          "《公路安全保护条例》第六十四条", "罚款", "责令改正，处罚款{fine}元", (500, 3000), simple=True),
    ),
    "water-resources": (
        V("未经批准擅自取水", "当事人未取得取水许可证，擅自利用机井取用地下水。",
          "《中华人民共和国水法》第六十九条", "罚款", "责令停止违法行为，限期采取补救措施，处罚款{fine}元", (20000, 100000)),
        V("在黄河河道管理范围内弃置阻碍行洪物体", "当事人在黄河河道管理范围内堆放建筑垃圾及砂石料，影响行洪安全。",
          "《中华人民共和国防洪法》第五十五条", "罚款", "责令停止违法行为，限期清除障碍，处罚款{fine}元", (5000, 50000)),
    ),
    "agriculture-rural": (
        V("经营劣质农药", "抽检发现当事人销售的农药有效成分含量低于产品质量标准，属劣质农药。",
          "《农药管理条例》第五十六条", "没收违法所得；没收非法财物；罚款", "没收劣质农药及违法所得{conf}元，并处罚款{fine}元",
          (5000, 50000), (500, 5000)),
        V("销售不符合质量标准的种子", "抽检发现当事人销售的玉米种子发芽率低于国家标准，属劣种子。",
          "《中华人民共和国种子法》第七十五条", "没收违法所得；罚款", "没收违法所得{conf}元，并处罚款{fine}元",
          (10000, 50000), (1000, 8000)),
    ),
    "commerce": (
        V("单用途商业预付卡发卡企业未按规定备案", "当事人发行单用途商业预付卡，未在开展业务之日起30日内办理备案。",
          "《单用途商业预付卡管理办法（试行）》第三十六条", "警告；罚款", "责令限期改正，给予警告，并处罚款{fine}元",
          (10000, 30000)),
    ),
    "culture-tourism": (
        V("旅行社未与旅游者签订旅游合同", "当事人组织旅游团队出游，未与旅游者签订书面旅游合同。",
          "《中华人民共和国旅游法》第一百条", "罚款", "责令改正，处罚款{fine}元", (5000, 50000)),
        V("互联网上网服务营业场所接纳未成年人", "执法检查发现当事人经营场所内有未成年人上网，未核对登记上网消费者身份证件。",
          "《互联网上网服务营业场所管理条例》第三十一条", "警告；罚款", "给予警告，并处罚款{fine}元", (2000, 15000)),
    ),
    "health": (
        V("公共场所未取得卫生许可证擅自营业", "检查发现当事人经营住宿场所，未取得公共场所卫生许可证。",
          "《公共场所卫生管理条例实施细则》第三十五条", "警告；罚款", "给予警告，并处罚款{fine}元", (500, 3000), simple=True),
        V("使用非卫生技术人员从事医疗卫生技术工作", "当事人聘用未取得执业资格的人员从事诊疗活动。",
          "《医疗机构管理条例》第四十七条", "罚款", "责令限期改正，处罚款{fine}元", (5000, 30000)),
    ),
    "veterans-affairs": (
        V("拒绝执行安排退役士兵工作任务", "当事人无正当理由拒绝接收政府下达的退役士兵安置任务，经责令限期改正逾期未改正。",
          "《退役士兵安置条例》第五十条", "通报批评", "予以通报批评"),
    ),
    "work-safety": (
        V("未按规定对从业人员进行安全生产教育和培训", "检查发现当事人部分从业人员未经安全生产教育和培训即上岗作业。",
          "《中华人民共和国安全生产法》第九十七条", "罚款", "责令限期改正，处罚款{fine}元", (10000, 80000)),
        V("未建立事故隐患排查治理制度", "检查发现当事人未建立事故隐患排查治理制度，未如实记录事故隐患排查治理情况。",
          "《中华人民共和国安全生产法》第一百零一条", "罚款", "责令限期改正，处罚款{fine}元", (20000, 100000)),
    ),
    "audit": (
        V("拒绝、拖延提供与审计事项有关的资料", "审计过程中，当事人拖延提供与审计事项有关的财务收支资料。",
          "《中华人民共和国审计法》第四十七条", "警告；通报批评", "责令改正，给予警告，予以通报批评"),
    ),
    "forestry-grassland": (
        V("擅自改变林地用途", "当事人未经批准擅自在林地内修建临时库房，改变林地用途。",
          "《中华人民共和国森林法》第七十三条", "罚款", "责令限期恢复植被和林业生产条件，处罚款{fine}元", (10000, 100000)),
        V("滥伐林木", "当事人未取得林木采伐许可证，擅自采伐杨树。",
          "《中华人民共和国森林法》第七十六条", "罚款", "责令限期补种树木，处滥伐林木价值三倍的罚款{fine}元", (3000, 30000)),
    ),
    "market-regulation": (
        V("销售超过保质期的食品", "执法人员检查发现当事人货架上摆放销售超过保质期的预包装食品。",
          "《中华人民共和国食品安全法》第一百二十四条", "没收违法所得；罚款", "没收违法所得{conf}元，并处罚款{fine}元",
          (5000, 50000), (100, 2000)),
        V("未按规定明码标价", "检查发现当事人销售的商品未按规定标明价格。",
          "《明码标价和禁止价格欺诈规定》第二十条", "警告", "责令改正，给予警告", simple=True),
        V("未取得食品经营许可从事食品经营活动", "当事人未取得食品经营许可证，从事热食类食品制售。",
          "《中华人民共和国食品安全法》第一百二十二条", "没收违法所得；罚款", "没收违法所得{conf}元，并处罚款{fine}元",
          (50000, 100000), (1000, 10000)),
        V("发布虚假广告", "当事人在其微信公众号发布的广告中使用虚假的产品功效内容，欺骗、误导消费者。",
          "《中华人民共和国广告法》第五十五条", "罚款", "责令停止发布广告，在相应范围内消除影响，处罚款{fine}元",
          (20000, 200000)),
        V("特种设备未经定期检验继续使用", "检查发现当事人使用的电梯超过定期检验有效期仍在使用。",
          "《中华人民共和国特种设备安全法》第八十四条", "罚款", "责令停止使用，处罚款{fine}元", (30000, 300000)),
        V("用非食品原料生产食品", "当事人在加工的食品中添加非食用物质，情节严重。",
          "《中华人民共和国食品安全法》第一百二十三条", "没收违法所得；罚款；吊销许可证件",
          "没收违法所得{conf}元，并处罚款{fine}元，吊销食品经营许可证", (100000, 300000), (2000, 20000), "食品经营许可证"),
    ),
    "intellectual-property": (
        V("销售侵犯注册商标专用权的商品", "执法人员在当事人经营场所查获侵犯他人注册商标专用权的白酒。",
          "《中华人民共和国商标法》第六十条", "没收非法财物；罚款", "没收、销毁侵权商品，并处罚款{fine}元", (5000, 100000)),
        V("假冒专利", "当事人在其产品包装上标注他人专利号，冒充专利产品。",
          "《中华人民共和国专利法》第六十八条", "没收违法所得；罚款", "责令改正，没收违法所得{conf}元，并处罚款{fine}元",
          (10000, 100000), (1000, 20000)),
    ),
    "sports": (
        V("未经许可经营高危险性体育项目", "当事人未取得高危险性体育项目经营许可，擅自对外开放游泳场所。",
          "《经营高危险性体育项目许可管理办法》第三十一条", "没收违法所得；罚款", "责令停止经营，没收违法所得{conf}元，并处罚款{fine}元",
          (10000, 50000), (2000, 20000)),
    ),
    "statistics": (
        V("提供不真实统计资料", "当事人报送的年度统计报表中营业收入数据与财务资料严重不符。",
          "《中华人民共和国统计法》第四十一条", "警告；罚款", "责令改正，给予警告，并处罚款{fine}元", (5000, 50000)),
        V("迟报统计资料", "当事人未按规定时限报送月度统计报表，经催报仍迟报。",
          "《中华人民共和国统计法》第四十二条", "警告", "责令改正，给予警告", simple=True),
    ),
    "civil-air-defense": (
        V("未按规定修建防空地下室", "当事人开发建设的住宅项目依法应当修建防空地下室而未修建。",
          "《中华人民共和国人民防空法》第四十八条", "警告；罚款", "给予警告，责令限期修建，并处罚款{fine}元", (30000, 100000)),
    ),
    "medical-security": (
        V("定点医药机构违规结算医保基金", "当事人将不属于医疗保障基金支付范围的药品纳入医保结算，造成医保基金损失。",
          "《医疗保障基金使用监督管理条例》第三十八条", "罚款", "责令退回医保基金，处造成损失金额一倍的罚款{fine}元",
          (5000, 100000)),
    ),
    "grain-reserves": (
        V("未按规定建立粮食经营台账", "检查发现当事人从事粮食收购、销售活动，未按规定建立粮食经营台账。",
          "《粮食流通管理条例》第四十九条", "警告；罚款", "责令改正，给予警告，并处罚款{fine}元", (1000, 3000), simple=True),
    ),
    "urban-management": (
        V("擅自设置户外广告设施", "当事人未经批准在临街建筑物外墙设置大型户外广告牌。",
          "《城市市容和环境卫生管理条例》第三十六条", "罚款", "责令限期拆除，处罚款{fine}元", (1000, 10000)),
        V("店外经营占用城市道路", "执法人员巡查发现当事人在店外人行道摆摊设点，占道经营。",
          "《城市市容和环境卫生管理条例》第三十六条", "警告；罚款", "责令改正，给予警告，并处罚款{fine}元", (200, 1000),
          simple=True),
        V("未按规定处置建筑垃圾", "当事人运输建筑垃圾的车辆沿途丢弃、遗撒建筑垃圾。",
          "《城市建筑垃圾管理规定》第二十三条", "罚款", "责令限期改正，处罚款{fine}元", (5000, 50000)),
    ),
    "housing-fund": (
        V("单位不办理住房公积金缴存登记", "当事人未按规定为本单位职工办理住房公积金缴存登记，经责令限期办理逾期仍未办理。",
          "《住房公积金管理条例》第三十七条", "罚款", "处罚款{fine}元", (10000, 50000)),
    ),
    "taxation": (
        V("未按照规定期限办理纳税申报", "当事人未按照规定的期限办理增值税纳税申报和报送纳税资料。",
          "《中华人民共和国税收征收管理法》第六十二条", "罚款", "处罚款{fine}元", (200, 2000), simple=True),
        V("偷税", "当事人采取在账簿上不列、少列收入的手段，少缴增值税及企业所得税。",
          "《中华人民共和国税收征收管理法》第六十三条第一款", "罚款", "追缴少缴税款，处少缴税款百分之五十的罚款{fine}元",
          (20000, 500000)),
        V("未按规定开具发票", "当事人销售货物未按规定开具发票。",
          "《中华人民共和国发票管理办法》第三十五条", "罚款", "处罚款{fine}元", (500, 3000), simple=True),
    ),
    "meteorology": (
        V("防雷装置未经验收擅自投入使用", "当事人新建厂房的防雷装置未经竣工验收即投入使用。",
          "《气象灾害防御条例》第四十五条", "罚款", "责令停止违法行为，处罚款{fine}元", (10000, 50000)),
        V("未取得资质从事升放气球活动", "当事人未取得施放气球资质，在庆典活动中升放系留气球。",
          "《施放气球管理办法》第二十七条", "警告；罚款", "责令改正，给予警告，并处罚款{fine}元", (1000, 10000)),
    ),
    "earthquake": (
        V("未按规定进行地震安全性评价", "当事人建设的重大建设工程未依法进行地震安全性评价。",
          "《中华人民共和国防震减灾法》第八十五条", "罚款", "责令限期改正，处罚款{fine}元", (30000, 300000)),
    ),
    "fire-safety": (
        V("消防设施、器材未保持完好有效", "检查发现当事人经营场所室内消火栓无水，灭火器压力不足。",
          "《中华人民共和国消防法》第六十条第一款第一项", "罚款", "处罚款{fine}元", (5000, 50000)),
        V("占用、堵塞疏散通道、安全出口", "检查发现当事人经营场所安全出口被货物堵塞。",
          "《中华人民共和国消防法》第六十条第一款第三项", "罚款", "处罚款{fine}元", (5000, 50000)),
        V("公众聚集场所未经消防安全检查擅自投入使用", "当事人经营的公众聚集场所未经消防安全检查即投入使用、营业。",
          "《中华人民共和国消防法》第五十八条第一款第四项", "责令停产停业；罚款", "责令停止使用、营业，处罚款{fine}元",
          (30000, 300000)),
    ),
    "tobacco-monopoly": (
        V("无烟草专卖零售许可证经营烟草制品零售业务", "执法人员在当事人经营场所查获无证经营的卷烟。",
          "《中华人民共和国烟草专卖法实施条例》第五十七条", "没收非法财物；罚款", "责令停止经营，没收卷烟，并处罚款{fine}元",
          (1000, 20000)),
        V("从非指定烟草专卖批发企业购进卷烟", "当事人从非指定的烟草专卖批发企业购进卷烟并对外销售。",
          "《中华人民共和国烟草专卖法实施条例》第五十六条", "罚款", "处罚款{fine}元", (1000, 10000), simple=True),
    ),
}
del V

NOT_PENALISED_CONTENT = (
    "当事人违法行为轻微并及时改正，没有造成危害后果，依据《中华人民共和国行政处罚法》第三十三条第一款的规定，决定不予行政处罚"
)
REVOKE_REASONS = (
    "经行政复议决定撤销", "人民法院判决撤销该行政处罚决定", "行政机关发现处罚决定认定事实不清，依法自行撤销",
    "处罚对象认定错误，依法撤销",
)

# -- licences ---------------------------------------------------------------------------------


class LicenceKind(NamedTuple):
    domain: str
    doc_name: str  # 行政许可决定文书名称
    certificate: str  # 许可证书名称
    category: str  # 许可类别: 普通/特许/认可/核准/登记/其他
    content: str  # 许可内容
    number: str  # 许可编号 prefix
    years: int  # validity in years; 0: no end date


L = LicenceKind
LICENCES: dict[str, LicenceKind] = {
    "food": L("market-regulation", "食品经营许可决定书", "食品经营许可证", "普通", "预包装食品销售（含冷藏冷冻食品），热食类食品制售", "JY1", 5),
    "halal": L("ethnic-religious", "清真食品准营决定书", "清真食品准营证", "其他", "清真食品经营", "QZ", 3),
    "fire_open": L("fire-safety", "公众聚集场所投入使用、营业前消防安全检查意见书", "公众聚集场所投入使用、营业前消防安全检查合格证",
                   "其他", "公众聚集场所投入使用、营业", "XF", 0),
    "tobacco": L("tobacco-monopoly", "烟草专卖零售许可决定书", "烟草专卖零售许可证", "特许", "卷烟、雪茄烟零售", "YC", 5),
    "construction": L("housing-construction", "建筑业企业资质审批决定书", "建筑业企业资质证书", "认可", "建筑工程施工总承包三级",
                      "D3", 5),
    "construction_safety": L("housing-construction", "安全生产许可决定书", "建筑施工企业安全生产许可证", "普通", "建筑施工",
                             "AQ", 3),
    "developer": L("housing-construction", "房地产开发企业资质审批决定书", "房地产开发企业资质证书", "认可", "房地产开发二级资质",
                   "FK", 3),
    "planning": L("natural-resources", "建设工程规划许可决定书", "建设工程规划许可证", "普通", "住宅及商业用房建设工程", "JS", 0),
    "air_defense": L("civil-air-defense", "防空地下室建设审批决定书", "人民防空工程建设审批意见书", "普通", "结建防空地下室", "RF", 0),
    "seismic": L("earthquake", "建设工程抗震设防要求审批决定书", "建设工程抗震设防要求确认书", "核准", "建设工程抗震设防要求确定",
                 "KZ", 0),
    "road_transport": L("transport", "道路运输经营许可决定书", "道路运输经营许可证", "普通", "道路普通货物运输", "RT", 4),
    "drug": L("market-regulation", "药品经营许可决定书", "药品经营许可证", "普通", "药品零售：中成药、化学药制剂、抗生素制剂、生化药品",
              "YP", 5),
    "clinic": L("health", "医疗机构执业许可决定书", "医疗机构执业许可证", "普通", "诊疗科目：内科、预防保健科", "YL", 5),
    "discharge": L("ecology-environment", "排污许可决定书", "排污许可证", "普通", "排放大气污染物：颗粒物、二氧化硫、氮氧化物",
                   "PW", 5),
    "hazchem": L("work-safety", "危险化学品经营许可决定书", "危险化学品经营许可证", "普通", "危险化学品经营（不带储存设施）", "WH", 3),
    "internet_cafe": L("culture-tourism", "网络文化经营许可决定书", "网络文化经营许可证", "普通", "互联网上网服务营业场所", "WW", 3),
    "entertainment": L("culture-tourism", "娱乐经营许可决定书", "娱乐经营许可证", "普通", "歌舞娱乐场所", "YY", 2),
    "publication": L("culture-tourism", "出版物经营许可决定书", "出版物经营许可证", "普通", "图书、报纸、期刊零售", "CB", 5),
    "lodging": L("public-security", "特种行业许可决定书", "特种行业许可证", "普通", "旅馆业", "TH", 0),
    "public_health": L("health", "公共场所卫生许可决定书", "公共场所卫生许可证", "普通", "住宿、沐浴场所", "WS", 4),
    "travel_agency": L("culture-tourism", "旅行社业务经营许可决定书", "旅行社业务经营许可证", "普通", "国内旅游业务、入境旅游业务",
                       "L-GS-", 0),
    "pesticide": L("agriculture-rural", "农药经营许可决定书", "农药经营许可证", "普通", "农药（不含限制使用农药）经营", "NY", 5),
    "seed": L("agriculture-rural", "农作物种子生产经营许可决定书", "农作物种子生产经营许可证", "普通", "农作物种子经营", "ZZ", 5),
    "water_draw": L("water-resources", "取水许可决定书", "取水许可证", "普通", "取水用途：农业灌溉；取水量：5万立方米/年", "QS", 5),
    "private_school": L("education", "民办学校办学许可决定书", "民办学校办学许可证", "普通", "非学科类校外培训", "JF", 5),
    "labour_dispatch": L("human-resources", "劳务派遣行政许可决定书", "劳务派遣经营许可证", "普通", "劳务派遣经营", "LP", 3),
    "hr_service": L("human-resources", "人力资源服务行政许可决定书", "人力资源服务许可证", "普通", "职业中介活动", "RZ", 0),
    "high_risk_sport": L("sports", "高危险性体育项目经营许可决定书", "高危险性体育项目经营许可证", "普通", "游泳", "TY", 5),
    "bookkeeping": L("finance", "代理记账许可决定书", "代理记账许可证书", "普通", "代理记账业务", "DLJZ", 0),
    "waste": L("urban-management", "城市建筑垃圾处置核准决定书", "城市建筑垃圾处置核准证", "核准", "城市建筑垃圾运输、消纳", "JL", 2),
    "outdoor_ad": L("urban-management", "户外广告设施设置许可决定书", "户外广告设施设置许可证", "普通", "户外广告设施设置", "HW", 3),
    "balloon": L("meteorology", "升放气球活动许可决定书", "升放气球活动许可证", "普通", "系留气球升放", "SQ", 0),
}
del L

# -- dishonesty lists -------------------------------------------------------------------------


class ListType(NamedTuple):
    domain: str
    name: str  # 名单类别
    reason: str  # 列入原因
    basis: str  # 认定依据
    weight: int


LIST_TYPES = (
    ListType("taxation", "重大税收违法失信主体", "当事人采取虚假申报等手段，少缴税款100万元以上且占各税种应纳税总额10%以上。",
             "《重大税收违法失信主体信息公布管理办法》第六条", 3),
    ListType("human-resources", "拖欠农民工工资失信联合惩戒对象名单", "当事人克扣、无故拖欠农民工工资，数额达到认定拒不支付劳动报酬罪数额标准。",
             "《拖欠农民工工资失信联合惩戒对象名单管理暂行办法》第五条", 3),
    ListType("market-regulation", "市场监督管理严重违法失信名单", "当事人实施食品安全领域严重违法行为，受到较重行政处罚。",
             "《市场监督管理严重违法失信名单管理办法》第六条", 2),
    ListType("work-safety", "安全生产严重失信主体名单", "当事人发生生产安全责任事故，且被处以较大数额罚款。",
             "《安全生产严重失信主体名单管理办法》第七条", 1),
    ListType("finance", "政府采购严重违法失信行为记录名单", "当事人在政府采购活动中提供虚假材料谋取中标、成交。",
             "《中华人民共和国政府采购法》第七十七条", 1),
)
# Court list (失信被执行人): what the judgment ordered, and how the debtor failed.
OBLIGATIONS = ("货款", "工程款", "借款本金", "租金", "劳务费", "服务费")
PERFORMANCE_OPEN = ("全部未履行", "部分未履行")
PERFORMANCE_DONE = "全部已履行"
CONDUCTS = (
    "有履行能力而拒不履行生效法律文书确定义务", "违反财产报告制度", "违反限制消费令",
    "以伪造证据、暴力、威胁等方法妨碍、抗拒执行",
)
ARBITRATION = "兰州仲裁委员会"
REPAIR_PREFIX = "兰信修"


# 行政强制 (行政强制法 Arts. 9 and 12): which authority takes which measure, why, on what basis.
class CompulsionKind(NamedTuple):
    domain: str
    type_name: str  # 强制类型 as files write it
    category: str  # 强制类别 as a bureau's 公示 page writes it; the import puts it in the law's words
    reason: str  # 事由
    basis: str  # 依据
    weight: int


COMPULSIONS = (
    CompulsionKind("market-regulation", "行政强制措施", "查封", "涉嫌生产经营不符合食品安全标准的食品，查封有关场所及食品原料。",
                   "《中华人民共和国食品安全法》第一百一十条", 4),
    CompulsionKind("market-regulation", "行政强制措施", "扣押财物", "涉嫌销售侵犯注册商标专用权的商品，扣押涉案商品。",
                   "《中华人民共和国商标法》第六十二条", 3),
    CompulsionKind("ecology-environment", "行政强制措施", "查封场所设施或者财物", "违法排放大气污染物，查封造成污染物排放的设施、设备。",
                   "《中华人民共和国大气污染防治法》第三十条", 2),
    CompulsionKind("work-safety", "行政强制措施", "查封", "存在重大事故隐患且拒不排除，查封有关场所、设施。",
                   "《中华人民共和国安全生产法》第六十五条", 2),
    CompulsionKind("taxation", "行政强制措施", "冻结存款", "有明显转移、隐匿应纳税的商品、货物迹象，冻结相当于应纳税款的存款。",
                   "《中华人民共和国税收征收管理法》第三十八条", 2),
    CompulsionKind("taxation", "行政强制执行", "划拨存款", "逾期未缴纳税款，经催告仍未缴纳，从其存款中扣缴税款。",
                   "《中华人民共和国税收征收管理法》第四十条", 1),
    CompulsionKind("market-regulation", "行政强制执行", "加处罚款", "到期不缴纳罚款，每日按罚款数额的百分之三加处罚款。",
                   "《中华人民共和国行政处罚法》第七十二条", 2),
)
COMPULSION_LIFT_REMARKS = ("经检验合格，依法解除", "违法行为已改正，依法解除", "已缴清税款，依法解除")


# 刑事: crimes units are convicted of (单位犯罪), with the domain a court may name, and the sentence.
class Crime(NamedTuple):
    charges: str  # 罪名
    domain: str  # "" when the court names none
    fine_wan: tuple[int, int]  # 罚金 range in 万元


CRIMES = (
    Crime("污染环境罪", "ecology-environment", (10, 200)),
    Crime("生产、销售伪劣产品罪", "market-regulation", (5, 100)),
    Crime("虚开增值税专用发票罪", "taxation", (20, 300)),
    Crime("重大责任事故罪", "", (5, 50)),
    Crime("单位行贿罪", "", (10, 100)),
    Crime("串通投标罪", "", (5, 80)),
)
JUDGMENT_SET_ASIDE_REMARK = "经再审撤销原判"
ACQUITTAL_REMARK = "公诉机关指控的犯罪事实不清、证据不足，指控的罪名不能成立"
