"""The codebook: every variable of a panel, its Dutch label, kind, codes and scales.

A codebook is a YAML file (see ``data/sample/codebook.yaml``)::

    name: Groninger Panel sociale vitaliteit (voorbeeld)
    value_sets:                      # reusable value labels
      eens5: {1: helemaal mee oneens, 2: mee oneens, 3: neutraal, 4: mee eens, 5: helemaal mee eens}
    missing_sets:
      likert: {9: weet niet / geen mening, 99: geen antwoord}
    variables:
      - {name: resp_id, label: Respondentnummer, kind: id}
      - {name: bet_1, label: "Ik voel me thuis in mijn dorp", kind: likert,
         values: eens5, missing: likert}
    scales:
      betrokkenheid: {label: Betrokkenheid, items: [bet_1, bet_2, bet_3, bet_4],
                      reverse: [bet_3], min_valid: 3, group: organisatiekracht}
    elements:
      betrokkenheid_overtuigingen: {label: Betrokkenheid en overtuigingen,
                                    scales: [betrokkenheid, overtuigingen]}
    panel: {name: Groninger Panel, source: "Groninger Panel (synthetische voorbeelddata)"}
    roles:
      activity: {variable: actief, period: het afgelopen jaar}
      mark: rapportcijfer
      background: {leeftijdsklasse: leeftijd, geslacht: geslacht}
      weighting: [leeftijdsklasse, geslacht]
      organisatiekracht: {betrokkenheid: betrokkenheid, ...}

Kinds: ``id, wave, gemeente, kern, categorical, likert, binary, numeric, mark, weight``.
``mark`` is a report mark (rapportcijfer) 1-10. ``values`` and ``missing`` may name a set or
give the codes inline. A scale may give its answer ``range`` (default: its items' codes,
which must agree; :meth:`Codebook.scale_range`) and a ``phrase`` for sentences.

``panel`` (:class:`PanelInfo`) says how reports name the panel: ``name``, the caption
``source``, a ``description`` sentence, the ``weighting_reason``, and the population margins
file ``bevolking`` (relative to the codebook) with how notes name it (``bevolking_source``).
``roles`` (:class:`Roles`) says which variable or scale plays which part in the report:
``activity`` (binary), ``mark`` (kind mark), ``weight`` (kind weight, a delivered weight),
``background`` (categorical model controls, with how a sentence names each),
``weighting`` (the background variables the margins are given by), ``organisatiekracht``
(its four parts -> scales), ``total``, ``actie`` and ``themes`` (scale lists). A role left
out follows from the kinds and the scale groups; a role set to null is absent; a role naming
a missing variable or one of the wrong kind is a :class:`CodebookError` naming the entry.
:meth:`Codebook.from_sav` derives a codebook from an SPSS file.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .errors import CodebookError

__all__ = ["Codebook", "Variable", "Scale", "Element", "PanelInfo", "Roles", "KINDS",
           "ORGANISATIEKRACHT"]

KINDS = ("id", "wave", "gemeente", "kern", "categorical", "likert", "binary", "numeric", "mark",
         "weight")
_SINGLE_KINDS = ("id", "wave", "gemeente", "kern")   # at most one column of each


@dataclass
class Variable:
    name: str
    label: str
    kind: str
    values: dict[int, str] = field(default_factory=dict)    # valid codes -> Dutch labels
    missing: dict[int, str] = field(default_factory=dict)   # missing codes -> Dutch labels
    ordered: bool = False          # categorical with ordered categories (e.g. age class)
    range: tuple[float, float] | None = None               # valid range for numeric/mark

    @property
    def codes(self) -> list[int]:
        return sorted(self.values)


@dataclass
class Scale:
    name: str
    label: str
    items: list[str]
    reverse: list[str] = field(default_factory=list)
    min_valid: int | None = None
    group: str | None = None       # e.g. organisatiekracht, actie, thema
    element: str | None = None     # filled from the elements section
    range: tuple[float, float] | None = None   # answer range; None: from the items' codes
    phrase: str | None = None      # how a Dutch sentence names it (default: label, lower case)

    def keys(self) -> dict[str, int]:
        """+1 / -1 per item (psych's ``keys``)."""
        return {i: (-1 if i in self.reverse else 1) for i in self.items}


@dataclass
class Element:
    name: str
    label: str
    scales: list[str]


def _codes(spec, sets: dict, where: str) -> dict[int, str]:
    """Resolve a value/missing spec: a set name, a mapping, or nothing."""
    if spec is None:
        return {}
    if isinstance(spec, str):
        if spec not in sets:
            raise CodebookError(f"{where}: refers to set {spec!r}, which is not defined "
                                f"(defined: {', '.join(sorted(sets)) or 'none'}).")
        spec = sets[spec]
    if not isinstance(spec, dict):
        raise CodebookError(f"{where}: expected a mapping of codes to labels, got {spec!r}.")
    out = {}
    for k, v in spec.items():
        try:
            code = int(k)
        except (TypeError, ValueError):
            raise CodebookError(f"{where}: code {k!r} is not an integer.") from None
        if code != float(k):
            raise CodebookError(f"{where}: code {k!r} is not an integer.")
        out[code] = str(v)
    return out


class Codebook:
    """Variables, scales and elements of a panel. Build with :meth:`from_yaml`,
    :meth:`from_dict` or :meth:`from_sav`; write with :meth:`to_yaml`."""

    def __init__(self, variables, scales=(), elements=(), name="", source=None, panel=None,
                 roles=None):
        self.name = name
        self.source = source
        self.variables: dict[str, Variable] = {v.name: v for v in variables}
        self.scales: dict[str, Scale] = {s.name: s for s in scales}
        self.elements: dict[str, Element] = {e.name: e for e in elements}
        self._check()
        self.panel: PanelInfo = _panel_info(panel, name, source)
        self.roles: Roles = _roles(self, roles)

    # ----------------------------------------------------------------- construction
    @classmethod
    def from_yaml(cls, path) -> "Codebook":
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise CodebookError(f"Codebook file {path} does not exist.") from None
        except UnicodeDecodeError as exc:
            raise CodebookError(f"Codebook file {path} is not UTF-8 text ({exc.reason} at byte "
                                f"{exc.start}). Save it as UTF-8.") from None
        try:
            raw = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # libyaml: 10x faster
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            raise CodebookError(f"Codebook file {path} is not valid YAML{at}: "
                                f"{getattr(exc, 'problem', exc)}.") from None
        return cls.from_dict(raw, source=str(path))

    @classmethod
    def from_dict(cls, raw, source=None) -> "Codebook":
        src = source or "codebook"
        if not isinstance(raw, dict) or "variables" not in raw:
            raise CodebookError(f"{src}: a codebook is a mapping with a 'variables' list "
                                f"(and optionally value_sets, missing_sets, scales, elements).")
        value_sets = raw.get("value_sets") or {}
        missing_sets = raw.get("missing_sets") or {}
        variables = []
        if not isinstance(raw["variables"], list):
            raise CodebookError(f"{src}: 'variables' must be a list of entries.")
        for i, entry in enumerate(raw["variables"], start=1):
            where = f"{src}: variables entry {i}"
            if not isinstance(entry, dict) or "name" not in entry:
                raise CodebookError(f"{where}: each variable needs at least 'name' and 'kind'.")
            where = f"{src}: variable {entry['name']!r}"
            kind = entry.get("kind")
            if kind not in KINDS:
                raise CodebookError(f"{where}: kind {kind!r} is not one of {', '.join(KINDS)}.")
            unknown = set(entry) - {"name", "label", "kind", "values", "missing", "ordered", "range"}
            if unknown:
                raise CodebookError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}.")
            rng = entry.get("range")
            if rng is not None:
                if not (isinstance(rng, list) and len(rng) == 2
                        and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in rng)
                        and rng[0] <= rng[1]):
                    raise CodebookError(f"{where}: range must be [low, high], got {rng!r}.")
                rng = (float(rng[0]), float(rng[1]))
            if any(v.name == str(entry["name"]) for v in variables):
                raise CodebookError(f"{where} is defined twice; give each variable one entry.")
            variables.append(Variable(
                name=str(entry["name"]), label=str(entry.get("label", entry["name"])), kind=kind,
                values=_codes(entry.get("values"), value_sets, f"{where}, values"),
                missing=_codes(entry.get("missing"), missing_sets, f"{where}, missing"),
                ordered=bool(entry.get("ordered", False)), range=rng,
            ))
        scales = []
        for sname, spec in (raw.get("scales") or {}).items():
            where = f"{src}: scale {sname!r}"
            if not isinstance(spec, dict) or not isinstance(spec.get("items"), list):
                raise CodebookError(f"{where}: needs an 'items' list.")
            unknown = set(spec) - {"label", "items", "reverse", "min_valid", "group", "range",
                                   "phrase"}
            if unknown:
                raise CodebookError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}.")
            scales.append(Scale(name=str(sname), label=str(spec.get("label", sname)),
                                items=[str(x) for x in spec["items"]],
                                reverse=[str(x) for x in spec.get("reverse") or []],
                                min_valid=spec.get("min_valid"), group=spec.get("group"),
                                range=_range(spec.get("range"), where),
                                phrase=None if spec.get("phrase") is None else str(spec["phrase"])))
        elements = []
        for ename, spec in (raw.get("elements") or {}).items():
            where = f"{src}: element {ename!r}"
            if not isinstance(spec, dict) or not isinstance(spec.get("scales"), list):
                raise CodebookError(f"{where}: needs a 'scales' list.")
            elements.append(Element(str(ename), str(spec.get("label", ename)),
                                    [str(x) for x in spec["scales"]]))
        return cls(variables, scales, elements, name=str(raw.get("name", "")), source=source,
                   panel=raw.get("panel"), roles=raw.get("roles"))

    @classmethod
    def from_sav(cls, path) -> "Codebook":
        """Derive a codebook from an SPSS file's variable labels, value labels and
        user-missing values (read with pyreadstat; no data rows are loaded).

        Kinds are guessed: string variables named like an id -> id; a variable whose values
        are labelled 1..k with k in 4..7 -> likert; 0/1 labelled -> binary; other labelled ->
        categorical; unlabelled numeric -> numeric. Columns named golf/wave, gemeente,
        kern and weging/gewicht/weight get their kinds. Review the result (``to_yaml``) and
        add scales by hand.
        """
        import pyreadstat
        path = Path(path)
        try:
            _, meta = pyreadstat.read_sav(str(path), metadataonly=True, user_missing=True)
        except FileNotFoundError:
            raise CodebookError(f"SPSS file {path} does not exist.") from None
        except Exception as exc:  # pyreadstat raises its own ReadstatError types
            raise CodebookError(f"SPSS file {path} cannot be read: {exc}.") from None
        variables = []
        labels = meta.column_names_to_labels
        value_labels = meta.variable_value_labels
        user_missing = getattr(meta, "missing_user_values", {}) or {}
        missing_ranges = getattr(meta, "missing_ranges", {}) or {}   # SPSS keeps them here
        for col in meta.column_names:
            vl = {int(k): str(v) for k, v in value_labels.get(col, {}).items()
                  if float(k).is_integer()}
            miss_codes = {int(m) for m in user_missing.get(col, [])
                          if isinstance(m, (int, float)) and float(m).is_integer()}
            miss_codes |= _range_codes(missing_ranges.get(col, []), vl)
            missing = {c: vl.pop(c, "ontbrekend") for c in sorted(miss_codes)}
            kind = _guess_kind(col, meta.readstat_variable_types.get(col), vl)
            variables.append(Variable(name=col, label=labels.get(col) or col, kind=kind,
                                      values=vl if kind in ("likert", "binary", "categorical") else {},
                                      missing=missing))
        return cls(variables, name=path.stem, source=str(path))

    # ----------------------------------------------------------------- checks and access
    def _check(self):
        src = self.source or "codebook"
        for kind in _SINGLE_KINDS:
            cols = self.columns(kind)
            if len(cols) > 1:
                raise CodebookError(f"{src}: more than one variable of kind {kind!r} "
                                    f"({', '.join(cols)}); there can be only one.")
        for v in self.variables.values():
            where = f"{src}: variable {v.name!r}"
            if v.kind in ("likert", "binary") and not v.values:
                raise CodebookError(f"{where}: a {v.kind} variable needs 'values' (codes with labels).")
            if v.kind == "binary" and set(v.values) != {0, 1}:
                raise CodebookError(f"{where}: a binary variable has codes 0 and 1, got {sorted(v.values)}.")
            if v.range is not None:
                inside = sorted(c for c in v.missing if v.range[0] <= c <= v.range[1])
                if inside:
                    raise CodebookError(f"{where}: missing code(s) {inside} lie inside the valid range "
                                        f"{[int(x) if float(x).is_integer() else x for x in v.range]}, "
                                        f"so real answers would be read as missing; use missing codes "
                                        f"outside the range (e.g. 999).")
            clash = set(v.values) & set(v.missing)
            if clash:
                raise CodebookError(f"{where}: code(s) {sorted(clash)} are both valid and missing.")
        for s in self.scales.values():
            where = f"{src}: scale {s.name!r}"
            if len(s.items) < 2:
                raise CodebookError(f"{where}: a scale needs at least two items.")
            for item in s.items:
                if item not in self.variables:
                    raise CodebookError(f"{where}: item {item!r} is not a variable in the codebook.")
                if self.variables[item].kind not in ("likert", "numeric", "mark", "binary"):
                    raise CodebookError(f"{where}: item {item!r} has kind "
                                        f"{self.variables[item].kind!r}; scale items must be numeric.")
            for item in s.reverse:
                if item not in s.items:
                    raise CodebookError(f"{where}: reverse item {item!r} is not among its items.")
            if s.min_valid is not None and not (isinstance(s.min_valid, numbers.Integral)
                                                and not isinstance(s.min_valid, bool)
                                                and 1 <= s.min_valid <= len(s.items)):
                raise CodebookError(f"{where}: min_valid {s.min_valid!r} must be a whole number from 1 to "
                                    f"the number of items ({len(s.items)}).")
        for e in self.elements.values():
            for sname in e.scales:
                if sname not in self.scales:
                    raise CodebookError(f"{src}: element {e.name!r}: scale {sname!r} is not defined.")
                self.scales[sname].element = e.name

    def __repr__(self):
        return (f"Codebook({self.name!r}: {len(self.variables)} variables, "
                f"{len(self.scales)} scales, {len(self.elements)} elements)")

    def __contains__(self, name):
        return name in self.variables

    def variable(self, name: str) -> Variable:
        try:
            return self.variables[name]
        except KeyError:
            raise CodebookError(f"Variable {name!r} is not in the codebook "
                                f"{self.source or ''}.".replace(" .", ".")) from None

    def scale(self, name: str) -> Scale:
        try:
            return self.scales[name]
        except KeyError:
            raise CodebookError(f"Scale {name!r} is not in the codebook; scales: "
                                f"{', '.join(self.scales) or 'none'}.") from None

    def columns(self, kind: str) -> list[str]:
        """Names of the variables of one kind, in codebook order."""
        return [v.name for v in self.variables.values() if v.kind == kind]

    def column(self, kind: str) -> str | None:
        """The single column of kind id/wave/gemeente/kern/weight, or None."""
        cols = self.columns(kind)
        return cols[0] if cols else None

    def label(self, name: str) -> str:
        """Dutch label of a variable or scale."""
        if name in self.variables:
            return self.variables[name].label
        if name in self.scales:
            return self.scales[name].label
        if name in self.elements:
            return self.elements[name].label
        return name

    def scales_in(self, group: str) -> list[str]:
        return [s.name for s in self.scales.values() if s.group == group]

    def scale_range(self, name: str) -> tuple[float, float]:
        """(lowest, highest) possible score of a scale on its own answer range: the scale's
        ``range`` when the codebook gives one, else the codes its items share (values,
        else a numeric item's range). A 1-7 scale gives (1.0, 7.0)."""
        sc = self.scale(name)
        if sc.range is not None:
            return sc.range
        bounds = {}
        for item in sc.items:
            v = self.variables[item]
            if v.values:
                bounds[item] = (float(min(v.values)), float(max(v.values)))
            elif v.range:
                bounds[item] = (float(v.range[0]), float(v.range[1]))
            else:
                raise CodebookError(
                    f"{self.source or 'codebook'}: scale {name!r}: item {item!r} has no value "
                    f"codes or range, so the scale's answer range is unknown; give the item a "
                    f"'range' or the scale a 'range: [low, high]'.")
        distinct = sorted(set(bounds.values()))
        if len(distinct) > 1:
            detail = "; ".join(f"{i} {_fmt_range(b)}" for i, b in bounds.items())
            raise CodebookError(
                f"{self.source or 'codebook'}: scale {name!r}: its items have different answer "
                f"ranges ({detail}); a scale score needs one range. Recode the items to one "
                f"range or give the scale a 'range: [low, high]'.")
        return distinct[0]

    def phrase(self, name: str) -> str:
        """How a Dutch sentence names a scale (its ``phrase``, else its label in lower case)."""
        sc = self.scales.get(name)
        if sc is not None and sc.phrase:
            return sc.phrase
        return self.label(name).lower()

    # ----------------------------------------------------------------- output
    def to_dict(self) -> dict:
        out = {"name": self.name, "variables": []}
        for v in self.variables.values():
            entry = {"name": v.name, "label": v.label, "kind": v.kind}
            if v.values:
                entry["values"] = dict(v.values)
            if v.missing:
                entry["missing"] = dict(v.missing)
            if v.ordered:
                entry["ordered"] = True
            if v.range:
                entry["range"] = list(v.range)
            out["variables"].append(entry)
        if self.scales:
            out["scales"] = {s.name: {k: val for k, val in
                                      (("label", s.label), ("items", s.items), ("reverse", s.reverse),
                                       ("min_valid", s.min_valid), ("group", s.group),
                                       ("range", list(s.range) if s.range else None),
                                       ("phrase", s.phrase)) if val}
                             for s in self.scales.values()}
        if self.elements:
            out["elements"] = {e.name: {"label": e.label, "scales": e.scales}
                               for e in self.elements.values()}
        return out

    def to_yaml(self, path=None) -> str:
        text = yaml.safe_dump(self.to_dict(), allow_unicode=True, sort_keys=False, width=100)
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text


# --------------------------------------------------------------------------- panel and roles
#: the four sub-scales of organisatiekracht (DESIGN.md): the parts ``roles.organisatiekracht``
#: may name, and the headline keys of the report
ORGANISATIEKRACHT = ("betrokkenheid", "overtuigingen", "bereidheid", "capaciteit")


@dataclass
class PanelInfo:
    """The panel as reports name it (codebook section ``panel``)."""

    name: str                        # "Groninger Panel": the report's subtitle
    source: str                      # the source line of captions: "Bron: <source>, golf ..."
    description: str | None = None   # a sentence introducing the panel (report section 2)
    weighting_reason: str | None = None   # why weighting to the population is needed
    bevolking: str | None = None     # population margins file (relative to the codebook)
    bevolking_source: str | None = None   # how the report names those counts


@dataclass
class Roles:
    """Which variables and scales play which part in the report (codebook section ``roles``)."""

    activity: str | None = None      # binary: active for a goal in the own village/neighbourhood
    activity_period: str | None = None   # "het afgelopen jaar"
    mark: str | None = None          # kind mark: the mark residents give the gemeente
    weight: str | None = None        # kind weight: a weight delivered with the data
    background: dict = field(default_factory=dict)   # variable -> how a sentence names it
    weighting: list = field(default_factory=list)    # background variables of the margins
    organisatiekracht: dict = field(default_factory=dict)   # part -> scale
    total: str | None = None         # the scale of all organisatiekracht items (omega)
    actie: list = field(default_factory=list)        # ACTIE scales (Denters et al., 2013)
    themes: list = field(default_factory=list)       # the panel themes' scales
    elements: list = field(default_factory=list)     # organisatiekracht's elements (derived)

    @property
    def scales(self) -> list:
        """The organisatiekracht sub-scales, in order."""
        return list(self.organisatiekracht.values())


_PANEL_FIELDS = {"name": "name", "source": "source", "description": "description",
                 "weighting_reason": "weighting_reason", "bevolking": "bevolking",
                 "bevolking_source": "bevolking_source"}
_ROLE_FIELDS = ("activity", "mark", "weight", "background", "weighting", "organisatiekracht",
                "total", "actie", "themes")


def _panel_info(spec, name: str, source) -> PanelInfo:
    src = source or "codebook"
    if spec is None:
        spec = {}
    if isinstance(spec, PanelInfo):
        return spec
    if not isinstance(spec, dict):
        raise CodebookError(f"{src}: panel: expected a mapping (name, source, ...), got {spec!r}.")
    unknown = set(spec) - set(_PANEL_FIELDS)
    if unknown:
        raise CodebookError(f"{src}: panel: unknown field(s) {', '.join(sorted(unknown))} "
                            f"(known: {', '.join(_PANEL_FIELDS)}).")
    for key, value in spec.items():
        if value is not None and not isinstance(value, str):
            raise CodebookError(f"{src}: panel.{key}: expected text, got {value!r}.")
    pname = spec.get("name") or name or "het panel"
    return PanelInfo(name=pname, source=spec.get("source") or pname,
                     description=spec.get("description"),
                     weighting_reason=spec.get("weighting_reason"),
                     bevolking=spec.get("bevolking"), bevolking_source=spec.get("bevolking_source"))


def _names(spec, where: str) -> list:
    if spec is None:
        return []
    if isinstance(spec, str):
        return [spec]
    if not isinstance(spec, list) or not all(isinstance(x, str) for x in spec):
        raise CodebookError(f"{where}: expected a name or a list of names, got {spec!r}.")
    return list(spec)


def _roles(cb: "Codebook", spec) -> Roles:
    """Resolve and check the ``roles`` section; what it leaves out follows from the kinds
    (the one binary variable, the one mark, the one weight) and the scale groups
    (organisatiekracht, totaal, actie, thema)."""
    src = cb.source or "codebook"
    if isinstance(spec, Roles):
        return spec
    spec = {} if spec is None else spec
    if not isinstance(spec, dict):
        raise CodebookError(f"{src}: roles: expected a mapping ({', '.join(_ROLE_FIELDS)}), "
                            f"got {spec!r}.")
    unknown = set(spec) - set(_ROLE_FIELDS)
    if unknown:
        raise CodebookError(f"{src}: roles: unknown field(s) {', '.join(sorted(unknown))} "
                            f"(known: {', '.join(_ROLE_FIELDS)}).")

    def variable(role, kinds, what):
        name = spec[role]
        where = f"{src}: roles.{role}"
        if not isinstance(name, str):
            raise CodebookError(f"{where}: expected a variable name, got {name!r}.")
        if name not in cb.variables:
            raise CodebookError(f"{where}: variable {name!r} is not in the codebook; name the "
                                f"{what} among its variables.")
        kind = cb.variables[name].kind
        if kind not in kinds:
            raise CodebookError(f"{where}: variable {name!r} has kind {kind!r}; the {what} must "
                                f"be of kind {' or '.join(kinds)}.")
        return name

    def only(kind):
        cols = cb.columns(kind)
        return cols[0] if len(cols) == 1 else None

    roles = Roles()
    act = spec.get("activity")
    if isinstance(act, dict):
        extra = set(act) - {"variable", "period"}
        if extra or "variable" not in act:
            raise CodebookError(f"{src}: roles.activity: a name or a mapping with 'variable' "
                                f"(and optionally 'period'), got {act!r}.")
        roles.activity_period = None if act.get("period") is None else str(act["period"])
        spec = {**spec, "activity": act["variable"]}
    # a role left out follows from the kinds; a role given as null (~) is absent
    roles.activity = (variable("activity", ("binary",), "activity outcome (codes 0 and 1)")
                      if spec.get("activity") is not None
                      else None if "activity" in spec else only("binary"))
    roles.mark = (variable("mark", ("mark",), "mark for the gemeente")
                  if spec.get("mark") is not None else None if "mark" in spec else only("mark"))
    roles.weight = (variable("weight", ("weight",), "delivered weight")
                    if spec.get("weight") is not None
                    else None if "weight" in spec else only("weight"))
    bg = spec.get("background")
    if isinstance(bg, dict):
        items = [(str(k), str(v)) for k, v in bg.items()]
    else:
        items = [(n, None) for n in _names(bg, f"{src}: roles.background")]
    for name, phrase in items:
        where = f"{src}: roles.background"
        if name not in cb.variables:
            raise CodebookError(f"{where}: variable {name!r} is not in the codebook.")
        v = cb.variables[name]
        if v.kind not in ("categorical", "binary") or not v.values:
            raise CodebookError(f"{where}: variable {name!r} has kind {v.kind!r}; background "
                                f"variables are categorical (or binary) with value labels.")
        roles.background[name] = phrase or v.label.lower()
    weighting = _names(spec.get("weighting"), f"{src}: roles.weighting") \
        if "weighting" in spec else list(roles.background)
    for name in weighting:
        if name not in roles.background:
            raise CodebookError(f"{src}: roles.weighting: {name!r} is not one of the background "
                                f"variables ({', '.join(roles.background) or 'none'}); weighting "
                                f"margins are given by background variables.")
    roles.weighting = weighting

    def scale_list(role, group):
        names = (_names(spec[role], f"{src}: roles.{role}") if role in spec
                 else cb.scales_in(group))
        for n in names:
            if n not in cb.scales:
                raise CodebookError(f"{src}: roles.{role}: scale {n!r} is not in the codebook "
                                    f"(scales: {', '.join(cb.scales) or 'none'}).")
        return names

    org = spec.get("organisatiekracht")
    if isinstance(org, dict):
        for part, sname in org.items():
            if part not in ORGANISATIEKRACHT:
                raise CodebookError(f"{src}: roles.organisatiekracht: {part!r} is not a part of "
                                    f"organisatiekracht ({', '.join(ORGANISATIEKRACHT)}).")
        roles.organisatiekracht = {str(k): str(v) for k, v in org.items()}
        for sname in roles.organisatiekracht.values():
            if sname not in cb.scales:
                raise CodebookError(f"{src}: roles.organisatiekracht: scale {sname!r} is not in "
                                    f"the codebook (scales: {', '.join(cb.scales) or 'none'}).")
    else:
        roles.organisatiekracht = {n: n for n in scale_list("organisatiekracht",
                                                            "organisatiekracht")}
    total = spec.get("total")
    if total is not None:
        if not isinstance(total, str) or total not in cb.scales:
            raise CodebookError(f"{src}: roles.total: scale {total!r} is not in the codebook.")
        roles.total = total
    else:
        totals = cb.scales_in("totaal")
        roles.total = totals[0] if len(totals) == 1 else None
    roles.actie = scale_list("actie", "actie")
    roles.themes = scale_list("themes", "thema")
    org_scales = set(roles.organisatiekracht.values())
    roles.elements = [e.name for e in cb.elements.values()
                      if e.scales and set(e.scales) <= org_scales]
    for sname in [*org_scales, *roles.actie, *roles.themes]:
        cb.scale_range(sname)          # a report scale needs one answer range
    return roles


def _range(rng, where: str):
    if rng is None:
        return None
    if not (isinstance(rng, (list, tuple)) and len(rng) == 2
            and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in rng)
            and rng[0] < rng[1]):
        raise CodebookError(f"{where}: range must be [low, high] with low below high, got {rng!r}.")
    return (float(rng[0]), float(rng[1]))


def _fmt_range(b) -> str:
    return "-".join(str(int(x)) if float(x).is_integer() else str(x) for x in b)


def _range_codes(ranges, value_labels: dict[int, str]) -> set[int]:
    """Integer codes covered by SPSS user-missing ranges: discrete values (lo == hi), and
    for a real range its whole-number ends and every labelled code inside it."""
    codes = set()
    for r in ranges:
        lo, hi = r.get("lo"), r.get("hi")
        if not isinstance(lo, (int, float)) or not isinstance(hi, (int, float)):
            continue
        codes |= {int(x) for x in (lo, hi) if float(x).is_integer()}
        codes |= {c for c in value_labels if lo <= c <= hi}
    return codes


def _guess_kind(col: str, vtype, value_labels: dict[int, str]) -> str:
    low = col.lower()
    if low in ("golf", "wave", "jaar"):
        return "wave"
    if low == "gemeente" or low.startswith("gemeente_code"):
        return "gemeente"
    if low in ("kern", "dorp", "wijk"):
        return "kern"
    if low in ("weging", "gewicht", "weight", "wgt"):
        return "weight"
    if vtype == "string":
        return "id" if ("id" in low or "nummer" in low or "nr" in low) else "categorical"
    if value_labels:
        codes = sorted(value_labels)
        if codes == [0, 1]:
            return "binary"
        numbered = any(ch.isdigit() for label in value_labels.values() for ch in label)
        if 4 <= len(codes) <= 7 and codes == list(range(1, len(codes) + 1)) and not numbered:
            return "likert"     # labels with numbers ("18-34 jaar") are classes, not answers
        return "categorical"
    if "id" == low or low.endswith("_id") or low.startswith("resp"):
        return "id"
    return "numeric"


# --------------------------------------------------------------------------- drafting
# ``socvit codebook draft DATA.sav``: a first codebook from an SPSS file's labels, with a
# "# KIES:" comment wherever a person must decide. Built on Codebook.from_sav.

_WEIGHT_WORDS = ("weegfactor", "weegf", "weging", "gewicht", "weight", "wgt", "wght")
_WEIGHT_NAMES = ("wf", "w", "wt", "gew")
_MISSING_WORDS = ("weet niet", "weet ik niet", "geen antwoord", "geen mening", "n.v.t",
                  "nvt", "niet van toepassing", "wil niet zeggen", "zeg ik liever niet",
                  "onbekend", "ontbrekend", "missing", "don't know", "refused", "no answer")


def _is_weight_name(name: str) -> bool:
    low = name.lower()
    return low in _WEIGHT_NAMES or any(w in low for w in _WEIGHT_WORDS)


def _looks_missing(label: str) -> bool:
    low = " ".join(str(label).lower().split())
    return any(w in low for w in _MISSING_WORDS)


def _draft_variables(path: Path):
    """Variables of :meth:`Codebook.from_sav`, revised for a draft, each with the decisions
    a person must take (Dutch "KIES" comments)."""
    import pyreadstat
    cb = Codebook.from_sav(path)
    try:
        _, meta = pyreadstat.read_sav(str(path), metadataonly=True)
    except Exception:  # pragma: no cover - from_sav read it a moment ago
        meta = None
    measure = getattr(meta, "variable_measure", None) or {}
    vtypes = getattr(meta, "readstat_variable_types", None) or {}
    has_label = {c: bool(lab) for c, lab in
                 (getattr(meta, "column_names_to_labels", None) or {}).items()}
    out = []
    for v in cb.variables.values():
        notes = []
        level = measure.get(v.name, "unknown")
        if not has_label.get(v.name, False):
            notes.append("geen variabelelabel in het bestand: geef een Nederlandse omschrijving")
        # labelled answer codes that read as 'weet niet' but are not user-missing in SPSS
        odd = {c: lab for c, lab in v.values.items() if _looks_missing(lab)}
        if odd and v.kind in ("likert", "categorical", "binary"):
            for c, lab in odd.items():
                v.missing[c] = v.values.pop(c)
            shown = ", ".join(f"{c} = {lab}" for c, lab in sorted(odd.items()))
            notes.append(f"{shown}: in SPSS geen ontbrekende waarde, hier wel (missing); klopt dat?")
            codes = sorted(v.values)
            if codes == [0, 1]:
                v.kind = "binary"
            elif (4 <= len(codes) <= 7 and codes == list(range(1, len(codes) + 1))
                  and not any(ch.isdigit() for lab in v.values.values() for ch in lab)):
                v.kind = "likert"
        if v.kind == "numeric" and _is_weight_name(v.name) and vtypes.get(v.name) != "string":
            v.kind = "weight"
        low = v.name.lower()
        if v.kind in ("numeric", "categorical") and "cijfer" in low and vtypes.get(v.name) != "string":
            if not v.values or set(v.values) <= set(range(1, 11)):
                v.kind, v.values, v.range = "mark", {}, (1.0, 10.0)
                notes.append("herkend als rapportcijfer (1-10) aan de naam; klopt dat?")
        if v.kind == "weight":
            notes.append("herkend als weegfactor aan de naam: een gewicht dat met de data is "
                         "geleverd (roles: weight); klopt dat?")
        elif v.kind == "likert":
            extra = " SPSS noemt het nominaal." if level == "nominal" else ""
            notes.append(f"is dit een schaalitem? welke schaal? omgekeerd gesteld (reverse)?{extra}")
        elif v.kind == "categorical" and v.values:
            if level == "ordinal":
                v.ordered = True
                notes.append("ordinaal volgens SPSS (ordered: true); klopt de volgorde van de codes?")
            codes = sorted(v.values)
            numbered = any(ch.isdigit() for lab in v.values.values() for ch in lab)
            if 4 <= len(codes) <= 7 and codes == list(range(1, len(codes) + 1)) and not numbered:
                notes.append("antwoordschaal (kind: likert) of klassen (categorical)?")
            if len(codes) > 3 and codes == list(range(1, len(codes) + 1)) and "leeftijd" not in low:
                notes.append("achtergrondkenmerk voor weging of analyse (roles: background)?")
        elif v.kind == "categorical":
            notes.append("tekst zonder waardelabels: categorical (de teksten zijn de categorieën) "
                         "of id?")
        elif v.kind == "numeric":
            notes.append("getal: geef het geldige bereik (range: [laag, hoog]) en ontbrekende codes")
        elif v.kind in ("gemeente", "kern", "wave", "id"):
            what = {"gemeente": "gemeente (CBS-code GMxxxx in de indeling van de golf)",
                    "kern": "dorp of wijk (binnen de gemeente)",
                    "wave": "golf (het jaar van de meting)", "id": "respondentnummer"}[v.kind]
            notes.append(f"{what}, herkend aan de naam; klopt dat?")
        if v.kind in ("likert", "binary") and not v.values:   # codebook would refuse it
            v.kind = "numeric"
        out.append((v, notes))
    weights = [v.name for v, _ in out if v.kind == "weight"]
    if len(weights) > 1:
        for v, notes in out:
            if v.kind == "weight":
                notes.append(f"{len(weights)} weegfactoren ({', '.join(weights)}): welke hoort "
                             f"bij deze golf? Maak van de andere kind: numeric.")
    return cb, out


def _flow(entry) -> str:
    return yaml.safe_dump(entry, default_flow_style=True, allow_unicode=True, sort_keys=False,
                          width=10_000).strip()


def _set_names(variables, attr: str) -> dict:
    """Shared value/missing sets: ``{frozen mapping: set name}`` for mappings used by two
    or more variables: value sets ``waarden_1``, ``waarden_2``, ...; missing sets after
    their codes (``ontbrekend_9_99``)."""
    seen: dict = {}
    for v, _ in variables:
        m = getattr(v, attr)
        if m:
            seen.setdefault(tuple(sorted(m.items())), []).append(v.name)
    shared = [k for k, names in seen.items() if len(names) > 1]
    if attr != "missing":
        return {k: f"waarden_{i}" for i, k in enumerate(shared, start=1)}
    out: dict = {}
    for k in shared:        # one set of codes with other labels gets a _2, _3, ...
        base = "ontbrekend_" + "_".join(str(c).replace("-", "min") for c, _ in k)
        name_, i = base, 1
        while name_ in out.values():
            i += 1
            name_ = f"{base}_{i}"
        out[k] = name_
    return out


def _scale_guesses(variables) -> dict[str, list[str]]:
    """Likert items grouped by their name without a trailing number (bet_1, bet_2 -> bet)."""
    import re
    groups: dict[str, list[str]] = {}
    for v, _ in variables:
        if v.kind == "likert":
            stem = re.sub(r"[_.]?\d+[a-z]?$", "", v.name)
            if stem and stem != v.name:
                groups.setdefault(stem, []).append(v.name)
    return {k: items for k, items in groups.items() if len(items) >= 2}


def draft_yaml(path) -> str:
    """A draft codebook (YAML text with comments) from an SPSS file's labels.

    Kinds are guessed by :meth:`Codebook.from_sav` from the value labels, then revised: a
    numeric variable named like a weight (weegfactor, gewicht, weging, weight, wgt, ...) is
    a delivered weight; one named like a mark (``*cijfer*``) a mark 1-10; an SPSS measure
    level ``ordinal`` makes a categorical ordered; labelled codes reading "weet niet", "geen
    antwoord", ... that SPSS does not mark as missing become missing codes. User-missing
    codes are kept apart, each with its own label (9 "weet niet" and 99 "geen antwoord" are
    different answers). Value and missing labels shared by several variables become named
    sets. Every decision a person must check carries a ``# KIES:`` comment; likely scales
    (likert items with one name stem) are suggested in a commented ``scales`` section.

    Parameters
    ----------
    path : str or Path
        The .sav file (only its labels are read, no data rows).

    Returns
    -------
    str
        YAML that :meth:`Codebook.from_yaml` reads as it is.

    Raises
    ------
    CodebookError
        The file does not exist or is not an SPSS .sav file.
    """
    path = Path(path)
    if path.suffix.lower() != ".sav":
        raise CodebookError(f"{path} is not an SPSS .sav file (it ends in "
                            f"{path.suffix or 'nothing'}); `socvit codebook draft` reads the "
                            f"labels of a .sav. Save the data from SPSS as .sav and draft "
                            f"from that file.")
    if not path.is_file():
        raise CodebookError(f"SPSS file {path} does not exist"
                            f"{' (it is a folder)' if path.is_dir() else ''}. Check the path.")
    try:
        cb, variables = _draft_variables(path)
    except CodebookError as exc:
        if "cannot be read" in str(exc):
            raise CodebookError(f"{path} cannot be read as an SPSS .sav file, so no codebook "
                                f"can be drafted from it. Is it a .sav saved by SPSS (or "
                                f"pyreadstat/haven), and not renamed from another format? "
                                f"Save it again from SPSS as .sav.") from None
        raise
    vsets = _set_names(variables, "values")
    msets = _set_names(variables, "missing")
    name = path.stem
    lines = [
        f"# Concept-codeboek, gemaakt door `socvit codebook draft` uit {path.name}.",
        "# Controleer elke regel met '# KIES:' en pas aan waar nodig; daarna:",
        f"#   socvit validate {path.name} --codebook <dit bestand>",
        "# Het formaat staat beschreven in socvit/data/sample/codebook.yaml.",
        _flow({"name": name})[1:-1],
        "",
        "# KIES: hoe heet het panel in de rapporten, en wat is de bronregel onder elke figuur?",
        "# panel:",
        f"#   name: {name}",
        "#   source: <naam van het panel en de organisatie>",
        "",
        "# KIES: welke variabele speelt welke rol in het rapport (activiteit, rapportcijfer,",
        "# achtergrondkenmerken, weegfactor)? Zie roles in socvit/data/sample/codebook.yaml.",
    ]
    weights = [v.name for v, _ in variables if v.kind == "weight"]
    lines += ["# roles:"] + [f"#   weight: {w}" for w in weights[:1]]
    if vsets:
        lines += ["", "value_sets:"]
        lines += [f"  {n}: {_flow(dict(k))}" for k, n in vsets.items()]
    if msets:
        lines += ["", "missing_sets:"]
        lines += [f"  {n}: {_flow(dict(k))}" for k, n in msets.items()]
    lines += ["", "variables:"]
    for v, notes in variables:
        entry = {"name": v.name, "label": v.label, "kind": v.kind}
        if v.values:
            entry["values"] = vsets.get(tuple(sorted(v.values.items())), dict(v.values))
        if v.missing:
            entry["missing"] = msets.get(tuple(sorted(v.missing.items())), dict(v.missing))
        if v.ordered:
            entry["ordered"] = True
        if v.range:
            entry["range"] = [int(x) if float(x).is_integer() else x for x in v.range]
        lines += [f"  # KIES: {n}" for n in notes]
        lines.append(f"  - {_flow(entry)}")
    guesses = _scale_guesses(variables)
    lines += ["", "# KIES: welke items vormen samen een schaal? Voorstel op grond van de namen;",
              "# haal het commentaarteken weg bij wat klopt, en vul reverse en min_valid aan.",
              "# scales:"]
    if guesses:
        lines += [f"#   {stem}: {_flow({'label': stem, 'items': items})}"
                  for stem, items in guesses.items()]
    else:
        lines.append("#   naam: {label: Naam, items: [item_1, item_2], reverse: [], min_valid: 2}")
    text = "\n".join(lines) + "\n"
    Codebook.from_dict(yaml.safe_load(text), source=str(path))   # the draft must load
    return text


def write_draft(path, out=None, force: bool = False) -> Path:
    """Write :func:`draft_yaml` of ``path`` to ``out`` (default: codebook.yaml beside the
    data, where :func:`socvit.load_panel` looks for it), atomically; an existing file is
    kept unless ``force``. Returns the path written."""
    from ._files import atomic_write
    path = Path(path)
    out = path.parent / "codebook.yaml" if out is None else Path(out)
    if out.exists() and not force:
        raise CodebookError(f"{out} already exists; it was left as it is. Pass --force to "
                            f"overwrite it, or --out <another file> for the draft.")
    if out.is_dir():
        raise CodebookError(f"{out} is a folder; give --out a file name such as "
                            f"{out / 'codebook.yaml'}.")
    text = draft_yaml(path)
    return atomic_write(out, text)


def cli_codebook(args) -> int:
    """``socvit codebook draft DATA.sav [--out FILE] [--force]``: write a draft codebook
    and say what to do next. CodebookError (bad input) reaches ``socvit``'s main: exit 2."""
    if args.codebook_command == "draft":
        # bad input raises CodebookError, an unwritable --out OSError: socvit's main reports
        # both in one paragraph (exit 2)
        out = write_draft(args.path, args.out, args.force)
        text = out.read_text(encoding="utf-8")
        n = text.count("\n  - ")
        k = text.count("# KIES:")
        print(f"{out}: concept-codeboek met {n} variabelen; {k} plaatsen met '# KIES:' vragen "
              f"om een beslissing. Controleer ze en draai dan `socvit validate {args.path} "
              f"--codebook {out}`.")
        return 0
    return 2  # pragma: no cover - argparse allows only the actions above
