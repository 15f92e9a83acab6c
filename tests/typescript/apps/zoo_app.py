"""A real FastAPI + pydantic v2 app using the features real projects use, for the values harness
(:mod:`tests.typescript.apps.values`): every response it sends must type-check against the
generated response type, and every request body it accepts (or rejects with 422 for a reason
TypeScript can express) must type-check (or fail) against the generated request type.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from decimal import Decimal
from typing import Annotated, Any, Generic, Literal, TypeVar

from fastapi import Body, Cookie, FastAPI, File, Form, Header, Query, Response, UploadFile
from fastapi.responses import JSONResponse
from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    JsonValue,
    SecretStr,
    StringConstraints,
    Tag,
    computed_field,
)
from pydantic.alias_generators import to_camel
from typing_extensions import TypeAliasType


class Color(str, enum.Enum):  # noqa: UP042 - the spelling most real projects use
    red = "red"
    green = "green"


class Priority(enum.IntEnum):
    low = 1
    high = 2


class Size(enum.StrEnum):
    small = "S"
    large = "L"


class Cat(BaseModel):
    pet_type: Literal["cat"]
    meows: int


class Dog(BaseModel):
    pet_type: Literal["dog"]
    barks: float
    good: bool = True


class Lizard(BaseModel):
    kind: Literal["lizard", "gecko"]
    scales: int


class Owner(BaseModel):
    """A discriminated union through ``Field(discriminator=)`` and an Annotated one."""

    pet: Cat | Dog = Field(discriminator="pet_type")
    pets: list[Annotated[Cat | Dog, Field(discriminator="pet_type")]] = []
    other: Lizard | None = None
    maybe_pet: Annotated[Cat | Dog, Field(discriminator="pet_type")] | None = None
    by_name: dict[str, Annotated[Cat | Dog, Field(discriminator="pet_type")]] = {}


class Scalars(BaseModel):
    """Scalars, formats and constrained types, all with the value pydantic serialises."""

    when: dt.datetime
    day: dt.date
    at: dt.time
    took: dt.timedelta
    id: uuid.UUID
    price: Decimal
    raw: bytes
    either: int | str
    color: Color
    priority: Priority
    size: Size = Size.small
    mode: Literal["fast", "slow"] = "fast"
    code: Annotated[str, StringConstraints(min_length=2, max_length=4, pattern=r"^[A-Z]+$")] = "AB"
    count: Annotated[int, Field(ge=0, le=100)] = 0
    ratio: float | None = None
    note: str | None = None


class Containers(BaseModel):
    by_name: dict[str, int] = {}
    nested: dict[str, list[Color]] = {}
    pairs: list[tuple[int, str]] = []
    triple: tuple[int, str, bool] | None = None
    many: tuple[int, ...] = ()
    tags: set[str] = set()
    frozen: frozenset[int] = frozenset()
    by_color: dict[Color, int] = {}
    by_letter: dict[Literal["a", "b"], str] = {}
    level: Literal[1, 2, 3] = 1


class TreeNode(BaseModel):
    """A recursive model (a tree), with mutual recursion through a forward reference."""

    name: str
    children: list[TreeNode] = []
    parent: TreeNode | None = None
    link: Link | None = None


class Link(BaseModel):
    target: TreeNode
    weight: int = 1


T = TypeVar("T")


class Item(BaseModel):
    sku: str
    qty: int = 1


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    next: str | None = None


class Person(BaseModel):
    """Aliases, a computed field, a secret and ``populate_by_name``."""

    model_config = ConfigDict(populate_by_name=True)

    first_name: str = Field(alias="firstName")
    last_name: str = Field(alias="lastName", default="")
    password: SecretStr | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class Open(BaseModel):
    model_config = ConfigDict(extra="allow")

    name: str


class Closed(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    size: int = 0


class Blobby(BaseModel):
    """``JsonValue`` and ``Any``: anything JSON, including recursion."""

    value: JsonValue
    anything: Any = None
    meta: dict[str, JsonValue] = {}


class FormModel(BaseModel):
    username: str
    age: int = 18
    agree: bool = False


#: Recursive type aliases (what ``type Json = ...`` declares on Python 3.12): pydantic publishes
#: them as components that refer to themselves through arrays and objects inside a union.
Json = TypeAliasType("Json", "str | int | float | bool | list[Json] | dict[str, Json] | None")
Expr = TypeAliasType("Expr", "int | list[Expr]")


class Attachment(BaseModel):
    """One model two bodies reach: a JSON body, where the bytes are a string, and a multipart
    body (``File()``), where they are an uploaded file. pydantic publishes both as one binary
    string."""

    name: str
    data: bytes | UploadFile
    note: str | None = None


class Formula(BaseModel):
    doc: Json
    expr: Expr = 0
    history: list[Expr] = []


class Secretive(BaseModel):
    """A field excluded from serialisation: the output schema must not list it."""

    name: str
    internal: str = Field(default="x", exclude=True)


class Circle(BaseModel):
    kind: Literal["circle"] = "circle"
    radius: float


class Square(BaseModel):
    side: float


def _shape_tag(value: Any) -> str:
    kind = value.get("kind") if isinstance(value, dict) else getattr(value, "kind", None)
    return "circle" if kind == "circle" else "square"


class Drawing(BaseModel):
    """A callable ``Discriminator`` with ``Tag``s: a oneOf without a discriminator mapping."""

    shapes: list[Annotated[Annotated[Circle, Tag("circle")] | Annotated[Square, Tag("square")], Discriminator(_shape_tag)]]


class Account(BaseModel):
    """A required ``SecretStr`` (``writeOnly``, yet serialised masked), separate validation and
    serialisation aliases, an alias generator, a required nullable field and a nullable Literal."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    secret: SecretStr
    display_name: str = Field(validation_alias="nameIn", serialization_alias="nameOut")
    login_count: int = 0
    maybe: int | None
    tier: Literal["free", "pro", None] = None


class Sloppy(BaseModel):
    """``x: int = None``: pydantic publishes neither the default nor ``null`` (a documented limit)."""

    x: int = None  # type: ignore[assignment]


class FilterParams(BaseModel):
    """A query parameter model (FastAPI ≥ 0.115): each field is its own query parameter."""

    model_config = ConfigDict(extra="forbid")

    q: str | None = None
    order: Literal["asc", "desc"] = "asc"
    limit: int = 10


class Problem(BaseModel):
    detail: str
    code: int


app = FastAPI(title="Zoo", version="1.0.0")


@app.post("/owners", response_model=Owner)
def post_owner(owner: Owner) -> Owner:
    return owner


@app.post("/pets")
def post_pet(pet: Annotated[Cat | Dog, Field(discriminator="pet_type")]) -> Cat | Dog:
    return pet


@app.post("/people/by-name", response_model=Person, response_model_by_alias=False)
def post_person_by_name(person: Person) -> Person:
    return person


@app.post("/people/short", response_model=Person, response_model_exclude_unset=True)
def post_person_short(person: Person) -> Person:
    return person


@app.post("/scalars")
def post_scalars(body: Scalars) -> Scalars:
    return body


@app.get("/scalars/sample")
def sample_scalars() -> Scalars:
    return Scalars(
        when=dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
        day=dt.date(2026, 1, 2),
        at=dt.time(12, 30),
        took=dt.timedelta(hours=1, seconds=3),
        id=uuid.UUID("12345678-1234-5678-1234-567812345678"),
        price=Decimal("9.99"),
        raw=b"hello",
        either=7,
        color=Color.green,
        priority=Priority.high,
    )


@app.post("/containers")
def post_containers(body: Containers) -> Containers:
    return body


@app.post("/trees")
def post_tree(node: TreeNode) -> TreeNode:
    return node


@app.get("/items")
def list_items(
    limit: Annotated[int, Query(ge=1)] = 10,
    tags: Annotated[list[str], Query()] = [],  # noqa: B006
    color: Color | None = None,
    exact: bool = False,
) -> Page[Item]:
    items = [Item(sku=f"{t}-{i}", qty=i) for i, t in enumerate(tags or ["x"])][:limit]
    return Page[Item](items=items, total=len(items), next=None if exact else "cursor")


@app.post("/people")
def post_person(person: Person) -> Person:
    return person


@app.post("/open")
def post_open(body: Open) -> Open:
    return body


@app.post("/closed")
def post_closed(body: Closed) -> Closed:
    return body


@app.post("/json")
def post_json(body: Blobby) -> Blobby:
    return body


@app.post("/formula")
def post_formula(body: Formula) -> Formula:
    return body


@app.post("/accounts")
def post_account(body: Account) -> Account:
    return body


@app.post("/sloppy")
def post_sloppy(body: Sloppy) -> Sloppy:
    return body


@app.get("/search")
def search(filters: Annotated[FilterParams, Query()]) -> FilterParams:
    return filters


@app.post("/secretive")
def post_secretive(body: Secretive) -> Secretive:
    return body


@app.post("/drawings")
def post_drawing(body: Drawing) -> Drawing:
    return body


@app.get("/maybe/{item_id}")
def maybe_item(item_id: int) -> Item | None:
    return Item(sku=str(item_id)) if item_id > 0 else None


@app.get("/collections")
def collections() -> dict[str, list[Item]]:
    return {"a": [Item(sku="a")], "b": []}


@app.get("/pages")
def int_pages(
    page_size: Annotated[int, Query(alias="page-size")] = 2, kinds: Annotated[list[Color], Query()] = [],  # noqa: B006
) -> Page[int]:
    return Page[int](items=list(range(page_size)), total=page_size, next=",".join(kinds) or None)


@app.post("/embed")
def embedded(item: Annotated[Item, Body(embed=True)], note: Annotated[str, Body()] = "") -> list[Item]:
    return [item] if not note else [item, Item(sku=note)]


@app.put("/optional-body")
def optional_body(item: Item | None = None) -> bool:
    return item is not None


@app.delete("/things/{thing_id}", status_code=204)
def delete_thing(thing_id: int) -> Response:
    return Response(status_code=204)


@app.get("/json/raw", response_model=None)
def raw_json(kind: str = "list") -> Any:
    return [1, "two", {"three": 3}] if kind == "list" else {"ok": True}


@app.get(
    "/things/{thing_id}",
    response_model=Item,
    responses={404: {"model": Problem, "description": "Not found"}, 409: {"description": "Conflict"}},
)
def get_thing(thing_id: int) -> Any:
    if thing_id == 404:
        return JSONResponse(status_code=404, content={"detail": "no such thing", "code": 404})
    return Item(sku=str(thing_id))


@app.post("/things", status_code=201)
def create_thing(item: Item) -> Item:
    return item


@app.post("/form")
def post_form(username: Annotated[str, Form()], age: Annotated[int, Form()] = 18) -> dict[str, int | str]:
    return {"username": username, "age": age}


@app.post("/form-model")
def post_form_model(data: Annotated[FormModel, Form()]) -> FormModel:
    return data


@app.post("/upload")
def upload(file: UploadFile, note: Annotated[str | None, Form()] = None) -> dict[str, str | int | None]:
    return {"name": file.filename, "size": file.size, "note": note}


@app.post("/uploads")
def uploads(files: Annotated[list[UploadFile], File()], raw: Annotated[bytes | None, File()] = None) -> list[str | None]:
    return [f.filename for f in files] + ([str(len(raw))] if raw is not None else [])


def _attachment_size(body: Attachment) -> dict[str, str | int]:
    data = body.data
    return {"name": body.name, "size": len(data) if isinstance(data, bytes) else data.size or 0}


@app.post("/attachments")
def attach_json(body: Attachment) -> dict[str, str | int]:
    return _attachment_size(body)


@app.post("/attachments/upload")
def attach_upload(body: Annotated[Attachment, File()]) -> dict[str, str | int]:
    return _attachment_size(body)


@app.get("/whoami")
def whoami(
    x_token: Annotated[str, Header()],
    session: Annotated[str | None, Cookie()] = None,
    x_trace: Annotated[list[str] | None, Header()] = None,
) -> dict[str, str | list[str] | None]:
    return {"token": x_token, "session": session, "trace": x_trace}


@app.post("/sum")
def add(numbers: list[int], scale: Annotated[float, Query()] = 1.0) -> float:
    return sum(numbers) * scale


def merged_app() -> FastAPI:
    """The same routes in an app with ``separate_input_output_schemas=False`` (a common setting to
    avoid ``-Input``/``-Output`` names): one schema per model, the validation one."""
    merged = FastAPI(title="Zoo (one schema per model)", version="1.0.0", separate_input_output_schemas=False)
    merged.router.routes.extend(app.router.routes)
    return merged
