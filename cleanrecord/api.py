from ninja import NinjaAPI

api = NinjaAPI(title="cleanrecord API", version="1", urls_namespace="api")
