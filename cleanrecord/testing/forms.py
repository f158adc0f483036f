"""Reading a form page as a user (and a screen reader) sees it: which error sits beside which field, the summary at
the top, the labels tied to inputs and what each input still holds. Plain html.parser: no browser needed."""

from __future__ import annotations

from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class FormPage(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.attrs: dict[str, dict[str, str]] = {}  # element id → its attributes
        self.texts: dict[str, str] = {}  # element id → its text
        self.labels: dict[str, str] = {}  # a label's for= → its text
        self.inputs: list[dict[str, str]] = []  # every input, select and textarea, in order (name, value, …)
        self._open: list[tuple[str, str | None, str | None]] = []  # (tag, id, label's for)
        self._option: dict[str, str] | None = None
        self._select: dict[str, str] | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if "id" in a:
            self.attrs[a["id"]] = {"tag": tag, **a}
            self.texts.setdefault(a["id"], "")
        if tag in ("input", "textarea", "select"):
            field = {"tag": tag, **a, "text": ""}
            self.inputs.append(field)
            if tag == "select":
                self._select = field
        if tag == "option" and self._select is not None and "selected" in a:
            self._select["value"] = a.get("value", "")
        if tag not in VOID:
            self._open.append((tag, a.get("id"), a.get("for") if tag == "label" else None))

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        while self._open:
            open_tag, _, _ = self._open.pop()
            if open_tag == tag:
                break

    def handle_data(self, data):
        for _tag, ident, for_ in self._open:
            if ident:
                self.texts[ident] += data
            if for_:
                self.labels[for_] = self.labels.get(for_, "") + data
        if self._open and self._open[-1][0] == "textarea" and self.inputs:
            self.inputs[-1]["text"] += data

    # -- what a test asks ------------------------------------------------------------------------------

    def summary(self) -> str:
        """The error summary at the top of the form ("" when there is none)."""
        return " ".join(self.texts.get("form-errors", "").split())

    def error_beside(self, field_id: str) -> str:
        """The error shown beside the field, after checking that the field names it for a screen reader."""
        described = self.attrs[field_id].get("aria-describedby", "").split()
        assert f"{field_id}_error" in described, f"{field_id} is not described by its error: {self.attrs[field_id]}"
        return " ".join(self.texts.get(f"{field_id}_error", "").split())

    def value(self, name: str) -> str | list[str]:
        """What the input named `name` holds: its value, a textarea's text, the checked boxes' values."""
        found = [i for i in self.inputs if i.get("name") == name]
        assert found, f"no input named {name}"
        if found[0].get("type") in ("checkbox", "radio"):
            return [i.get("value", "") for i in found if "checked" in i]
        if found[0]["tag"] == "textarea":
            return found[0]["text"].lstrip("\n")
        return found[0].get("value", "")

    def label_of(self, field_id: str) -> str:
        return " ".join(self.labels.get(field_id, "").split())
