"""The records database: SQLite by default, PostgreSQL when given its URL, through SQLAlchemy Core.

`open_store(url)` opens it and brings its schema up to date (Alembic `upgrade head`, the
migrations shipped in migrations/). Every pulled page is written in ONE transaction: its
statements, voids, rejected statements, the records they change and the pull position. A pull
stopped anywhere leaves the database as it was after the last whole page, and the next pull
resumes from the position that page stored.
"""
from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import and_, bindparam, create_engine, delete, event, func, or_, select, tuple_, update
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError

from . import schema
from .derive import CourseInfo, Fact, Item, Learner, RecordValues, Void, derive_record
from .errors import RecordsError

DEFAULT_DB = "sqlite:///records.sqlite"
MIGRATIONS = Path(__file__).with_name("migrations")
CHUNK = 300  # keys or ids per IN (...) list: well below SQLite's and PostgreSQL's parameter limits
DB_HINT = "use sqlite:///path/to/records.sqlite, or postgresql://user:password@host/dbname"


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def aware(value: datetime | None) -> datetime | None:
    """A datetime from the database in UTC: SQLite gives them back without a zone (everything
    stored is UTC), PostgreSQL in the session's time zone."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def database_url(text: str | None) -> URL:
    """The SQLAlchemy URL for `--db`: a URL, or a plain file path (SQLite). PostgreSQL URLs
    (`postgresql://`, `postgres://`) use the psycopg 3 driver."""
    text = (text or DEFAULT_DB).strip()
    if "://" not in text:
        text = "sqlite:///" + text
    try:
        url = make_url(text)
    except ArgumentError:
        raise RecordsError("--db", f"'{text}' is not a database URL", DB_HINT) from None
    backend = url.get_backend_name()
    if backend in ("postgresql", "postgres"):
        return url.set(drivername="postgresql+psycopg")
    if backend == "sqlite" and url.get_driver_name() in ("pysqlite", "sqlite"):
        return url
    raise RecordsError("--db", f"'{url.render_as_string(hide_password=True)}': only SQLite and PostgreSQL are supported",
                       DB_HINT)


def shown(url: URL) -> str:
    return url.render_as_string(hide_password=True)


def alembic_config(connection: Connection | None = None):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def open_store(url: str | URL | None = None, create: bool = True) -> Store:
    """Open (and create or upgrade) the records database at `url` (default: ./records.sqlite).
    With create=False a SQLite file that does not exist yet is an error rather than a new, empty
    database (a mistyped --db would otherwise export nothing and verify nothing, silently)."""
    url = url if isinstance(url, URL) else database_url(url)
    if not create and url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:") \
            and not Path(url.database).exists():
        raise RecordsError(shown(url), "there is no records database here",
                           "run 'scorm-builder records pull' first, or give the database with --db")
    try:
        if url.get_backend_name() == "sqlite":
            engine = create_engine(url, connect_args={"timeout": 30})
            event.listen(engine, "connect", _sqlite_pragmas)
        else:
            engine = create_engine(url, pool_pre_ping=True)
    except (ModuleNotFoundError, NoSuchModuleError) as missing:
        raise RecordsError(shown(url), f"the database driver is not installed ({missing})",
                           "pip install 'psycopg[binary]>=3.1' for PostgreSQL") from None
    try:
        from alembic import command

        with engine.begin() as connection:
            command.upgrade(alembic_config(connection), "head")
    except (DBAPIError, SQLAlchemyError) as error:
        engine.dispose()
        reason = getattr(error, "orig", None) or error
        raise RecordsError(shown(url), f"cannot open the records database: {str(reason).strip().splitlines()[0]}",
                           "check the URL, that the server is running and the folder exists; " + DB_HINT) from None
    return Store(engine)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _insert(connection: Connection, table):
    """INSERT with ON CONFLICT for this dialect (both SQLite and PostgreSQL spell it the same)."""
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table)


def _chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _mark_voided(conn: Connection, table, candidates: list[str]) -> set[tuple[str, str, str]]:
    """Set `voided_by` on every row of `table` (statements or items) among `candidates` that a
    known voiding statement names; the (course, learner, registration) keys that changed."""
    affected: set[tuple[str, str, str]] = set()
    V = schema.voids
    for chunk in _chunks(sorted(set(candidates))):
        hits = conn.execute(
            select(table.c.id, V.c.voiding_id, table.c.course_iri, table.c.learner_key, table.c.registration)
            .join(V, V.c.voided_id == table.c.id)
            .where(table.c.id.in_(chunk), table.c.voided_by.is_(None))).all()
        for sid, voiding_id, course_iri, learner_key, registration in hits:
            conn.execute(update(table).where(table.c.id == sid).values(voided_by=voiding_id))
            affected.add((course_iri, learner_key, registration))
    return affected


def _add_new(conn: Connection, table, rows_by_id: dict[str, dict]) -> int:
    """Insert the rows whose statement id `table` does not hold yet; the number inserted."""
    existing: set[str] = set()
    for chunk in _chunks(list(rows_by_id)):
        existing |= set(conn.execute(select(table.c.id).where(table.c.id.in_(chunk))).scalars())
    rows = [row for sid, row in rows_by_id.items() if sid not in existing]
    if rows:
        conn.execute(_insert(conn, table).on_conflict_do_nothing(index_elements=["id"]), rows)
    return len(rows)


@dataclass(frozen=True)
class PageOutcome:
    new_statements: int
    new_voids: int
    records_changed: int
    new_items: int = 0


@dataclass(frozen=True)
class RecordRow:
    """A record as export and certificates read it: the record, its learner, its course."""

    id: int
    course_iri: str
    course_title: str | None
    course_source_id: str | None
    course_organisation: str | None
    learner_key: str
    learner_kind: str
    learner_identifier: str
    learner_home_page: str
    learner_name: str
    registration: str
    result: str
    earned: bool
    first_launch_at: datetime | None
    completed_at: datetime | None
    best_score: float | None
    last_score: float | None
    attempts: int
    sessions: int
    total_seconds: float | None
    ce_hours: float | None
    version: str | None
    package_hash: str | None
    statement_count: int
    last_statement_at: datetime

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.course_iri, self.learner_key, self.registration)


S, L, R, C, I = schema.statements, schema.learners, schema.records, schema.courses, schema.items


class Store:
    def __init__(self, engine: Engine):
        self.engine = engine

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:  # noqa: PYI034
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    # --- pull positions ---------------------------------------------------------------------------------------

    def position(self, lrs: str, stream: str) -> datetime | None:
        with self.engine.connect() as conn:
            value = conn.execute(select(schema.positions.c.position).where(
                schema.positions.c.lrs == lrs, schema.positions.c.stream == stream)).scalar()
        return aware(value)

    def _advance(self, conn: Connection, lrs: str, stream: str, position: datetime | None, now: datetime) -> None:
        if position is None:
            return
        table = schema.positions
        current = aware(conn.execute(select(table.c.position).where(table.c.lrs == lrs, table.c.stream == stream)).scalar())
        if current is not None and current >= position:
            return
        stmt = _insert(conn, table).values(lrs=lrs, stream=stream, position=position, updated_at=now)
        conn.execute(stmt.on_conflict_do_update(index_elements=["lrs", "stream"],
                                                set_={"position": position, "updated_at": now}))

    # --- one page, one transaction ------------------------------------------------------------------------------

    def apply_page(self, lrs: str, stream: str, facts: list[Fact | Item], voids: list[Void], problems: list,
                   position: datetime | None) -> PageOutcome:
        """Write one page of a pull: all of it, or (on any exception) nothing. `facts` may hold
        Items (questions answered, pages experienced) too: they go to the `items` table."""
        now = utcnow()
        items = [f for f in facts if isinstance(f, Item)]
        facts = [f for f in facts if not isinstance(f, Item)]
        with self.engine.begin() as conn:
            self._add_learners(conn, facts + items)
            new_statements = self._add_facts(conn, facts, lrs, now)
            new_items = self._add_items(conn, items, lrs, now)
            new_voids = self._add_voids(conn, voids, lrs, now)
            affected = {f.record_key for f in facts}
            affected |= self._apply_voids(conn, [v.voided_id for v in voids] + [f.id for f in facts])
            changed = self._recompute(conn, affected, now) if affected else 0
            numbered = affected | self._void_items(conn, [v.voided_id for v in voids] + [i.id for i in items])
            if new_items or numbered:
                self._number_attempts(conn, numbered | {i.record_key for i in items})

            self._reject(conn, problems, lrs, now)
            self._advance(conn, lrs, stream, position, now)
        return PageOutcome(new_statements, new_voids, changed, new_items)

    def _add_learners(self, conn: Connection, facts: list[Fact | Item]) -> None:
        if not facts:
            return
        learners: dict[str, Learner] = {}
        for fact in facts:  # the latest non-empty name wins
            if fact.learner.key not in learners or fact.learner.name:
                learners[fact.learner.key] = fact.learner
        stmt = _insert(conn, L)
        conn.execute(stmt.on_conflict_do_update(
            index_elements=["key"], set_={"name": stmt.excluded.name}, where=stmt.excluded.name != ""),
            [{"key": x.key, "kind": x.kind, "identifier": x.identifier, "home_page": x.home_page, "name": x.name}
             for x in learners.values()])

    def _add_facts(self, conn: Connection, facts: list[Fact], lrs: str, now: datetime) -> int:
        """Keep the page's facts not kept yet; the number added."""
        return _add_new(conn, S, {f.id: _fact_row(f, lrs, now) for f in facts})

    def _add_items(self, conn: Connection, items: list[Item], lrs: str, now: datetime) -> int:
        """Keep the page's items not kept yet (statement ids are the key: a re-read adds nothing)."""
        return _add_new(conn, I, {i.id: _item_row(i, lrs, now) for i in items})

    def _void_items(self, conn: Connection, candidates: list[str]) -> set[tuple[str, str, str]]:
        """Mark every kept item among `candidates` that a known voiding statement names."""
        return _mark_voided(conn, I, candidates)

    def _number_attempts(self, conn: Connection, keys: Iterable[tuple[str, str, str]]) -> None:
        """Give each answered item of `keys` the attempt it belongs to: 1 + the record's graded
        attempts (non-voided passed/failed about an assessment) timestamped before it. Pages
        keep NULL. Re-run whenever a record's statements change, so late deliveries renumber."""
        for chunk in _chunks(sorted(set(keys))):
            marks: dict[tuple[str, str, str], list[datetime]] = {}
            attempts = (select(S.c.course_iri, S.c.learner_key, S.c.registration, S.c.timestamp)
                        .where(tuple_(S.c.course_iri, S.c.learner_key, S.c.registration).in_(chunk),
                               S.c.verb == "attempt", S.c.voided_by.is_(None)))
            for course_iri, learner_key, registration, when in conn.execute(attempts):
                marks.setdefault((course_iri, learner_key, registration), []).append(aware(when))
            for found in marks.values():
                found.sort()
            answered = (select(I.c.id, I.c.course_iri, I.c.learner_key, I.c.registration, I.c.timestamp, I.c.attempt)
                        .where(tuple_(I.c.course_iri, I.c.learner_key, I.c.registration).in_(chunk),
                               I.c.verb == "answered"))
            changes = []
            for sid, course_iri, learner_key, registration, when, old in conn.execute(answered).all():
                attempt = 1 + bisect_left(marks.get((course_iri, learner_key, registration), []), aware(when))
                if attempt != old:
                    changes.append({"item_id": sid, "new_attempt": attempt})
            if changes:
                conn.execute(update(I).where(I.c.id == bindparam("item_id")).values(attempt=bindparam("new_attempt")),
                             changes)

    def _add_voids(self, conn: Connection, found: list[Void], lrs: str, now: datetime) -> int:
        if not found:
            return 0
        unique = {v.voided_id: v for v in found}
        existing: set[str] = set()
        for chunk in _chunks(list(unique)):
            existing |= set(conn.execute(select(schema.voids.c.voided_id).where(
                schema.voids.c.voided_id.in_(chunk))).scalars())
        rows = [{"voided_id": v.voided_id, "voiding_id": v.voiding_id, "timestamp": v.timestamp, "stored": v.stored,
                 "lrs": lrs, "pulled_at": now} for vid, v in unique.items() if vid not in existing]
        if rows:
            conn.execute(_insert(conn, schema.voids).on_conflict_do_nothing(index_elements=["voided_id"]), rows)
        return len(rows)

    def _apply_voids(self, conn: Connection, candidates: list[str]) -> set[tuple[str, str, str]]:
        """Mark every kept statement among `candidates` that a known voiding statement names;
        the keys of the records that then change."""
        return _mark_voided(conn, S, candidates)

    def _reject(self, conn: Connection, problems: list, lrs: str, now: datetime) -> None:
        rows, seen = [], set()
        for problem in problems:
            sid = problem.file.removeprefix("statement ")
            sid = None if sid == "(no id)" else sid[:64]
            if sid is not None and sid in seen:
                continue
            seen.add(sid)
            rows.append({"statement_id": sid, "field": problem.field[:255], "reason": problem.message,
                         "lrs": lrs, "seen_at": now})
        with_id = [r for r in rows if r["statement_id"] is not None]
        if with_id:
            conn.execute(_insert(conn, schema.rejected).on_conflict_do_nothing(index_elements=["statement_id"]),
                         with_id)
        without = [r for r in rows if r["statement_id"] is None]
        if without:
            conn.execute(schema.rejected.insert(), without)

    # --- records ----------------------------------------------------------------------------------------------

    def _course_info(self, conn: Connection, iri: str, cache: dict[str, CourseInfo | None]) -> CourseInfo | None:
        if iri not in cache:
            row = conn.execute(select(C).where(C.c.iri == iri)).mappings().first()
            cache[iri] = None if row is None else CourseInfo(row["iri"], row["source_id"], row["title"],
                                                             row["ce_hours"], row["requires_pass"],
                                                             row["organisation"])
        return cache[iri]

    def _recompute(self, conn: Connection, keys: Iterable[tuple[str, str, str]], now: datetime) -> int:
        """Derive the records of `keys` again from their non-voided statements."""
        cache: dict[str, CourseInfo | None] = {}
        changed = 0
        for chunk in _chunks(sorted(set(keys))):
            facts: dict[tuple[str, str, str], list[Fact]] = {key: [] for key in chunk}
            query = (select(S, L.c.kind, L.c.identifier, L.c.home_page, L.c.name)
                     .join(L, L.c.key == S.c.learner_key)
                     .where(tuple_(S.c.course_iri, S.c.learner_key, S.c.registration).in_(chunk),
                            S.c.voided_by.is_(None)))
            for row in conn.execute(query).mappings():
                fact = _row_fact(row)
                facts[fact.record_key].append(fact)
            upserts = []
            for key, found in facts.items():
                values = derive_record(found, self._course_info(conn, key[0], cache))
                if values is None:
                    conn.execute(delete(R).where(R.c.course_iri == key[0], R.c.learner_key == key[1],
                                                 R.c.registration == key[2]))
                else:
                    upserts.append(_record_row(values, now))
                changed += 1
            if upserts:
                stmt = _insert(conn, R)
                columns = {name: stmt.excluded[name] for name in upserts[0]
                           if name not in ("course_iri", "learner_key", "registration")}
                conn.execute(stmt.on_conflict_do_update(
                    index_elements=["course_iri", "learner_key", "registration"], set_=columns), upserts)
        return changed

    def set_course(self, info: CourseInfo) -> int:
        """Keep what the course source says; when it changed, re-derive the course's records (CE
        hours, earned). The number of records re-derived."""
        now = utcnow()
        with self.engine.begin() as conn:
            old = conn.execute(select(C).where(C.c.iri == info.iri)).mappings().first()
            values = {"source_id": info.source_id, "title": info.title, "ce_hours": info.ce_hours,
                      "requires_pass": info.requires_pass, "organisation": info.organisation}
            if old is not None and all(old[k] == v for k, v in values.items()):
                return 0
            stmt = _insert(conn, C).values(iri=info.iri, updated_at=now, **values)
            conn.execute(stmt.on_conflict_do_update(index_elements=["iri"], set_={**values, "updated_at": now}))
            keys = conn.execute(select(R.c.course_iri, R.c.learner_key, R.c.registration)
                                .where(R.c.course_iri == info.iri)).all()
            return self._recompute(conn, [tuple(k) for k in keys], now) if keys else 0

    def course(self, iri: str) -> CourseInfo | None:
        with self.engine.connect() as conn:
            return self._course_info(conn, iri, {})

    def _record_query(self):
        return (select(R, C.c.title.label("course_title"), C.c.source_id.label("course_source_id"),
                       C.c.organisation.label("course_organisation"),
                       L.c.kind.label("learner_kind"), L.c.identifier.label("learner_identifier"),
                       L.c.home_page.label("learner_home_page"), L.c.name.label("learner_name"))
                .join(L, L.c.key == R.c.learner_key)
                .outerjoin(C, C.c.iri == R.c.course_iri))

    def iter_records(self, course_iri: str | None = None, completed_from: datetime | None = None,
                     completed_before: datetime | None = None, batch: int = 500) -> Iterator[RecordRow]:
        """Records in (completion date, learner) order, streamed `batch` rows at a time. A date
        bound selects completions: records without a completion date are then left out."""
        query = self._record_query()
        if course_iri:
            query = query.where(R.c.course_iri == course_iri)
        if completed_from is not None:
            query = query.where(R.c.completed_at >= completed_from)
        if completed_before is not None:
            query = query.where(R.c.completed_at < completed_before)
        query = query.order_by(R.c.completed_at.is_(None), R.c.completed_at, L.c.identifier, R.c.registration)
        with self.engine.connect() as conn:
            for row in conn.execution_options(yield_per=batch).execute(query).mappings():
                yield _record_from(row)

    def records_for(self, learner: str, course_iri: str) -> list[RecordRow]:
        """The records of `course_iri` whose learner matches `learner`: the LMS learner id (account
        name), an mbox (with or without mailto:), an openid, or the stored learner key."""
        mbox = learner if learner.startswith("mailto:") else f"mailto:{learner}"
        query = self._record_query().where(R.c.course_iri == course_iri, or_(
            L.c.identifier == learner, L.c.key == learner,
            and_(L.c.kind == "mbox", func.lower(L.c.identifier) == mbox.lower())))
        with self.engine.connect() as conn:
            return [_record_from(row) for row in conn.execute(query.order_by(R.c.completed_at)).mappings()]

    def record(self, key: tuple[str, str, str]) -> RecordRow | None:
        query = self._record_query().where(R.c.course_iri == key[0], R.c.learner_key == key[1],
                                           R.c.registration == key[2])
        with self.engine.connect() as conn:
            row = conn.execute(query).mappings().first()
        return None if row is None else _record_from(row)

    def evidence(self, key: tuple[str, str, str], include_voided: bool = True) -> list[dict]:
        """The statements a record was derived from (and, by default, the voided ones, marked)."""
        return self._rows_of(S, key, include_voided)

    def items(self, key: tuple[str, str, str], include_voided: bool = True) -> list[dict]:
        """The questions answered and pages experienced of one course, learner and registration,
        in time order, as dicts of the `items` columns (times UTC)."""
        return self._rows_of(I, key, include_voided)

    def _rows_of(self, table, key: tuple[str, str, str], include_voided: bool) -> list[dict]:
        """The rows of `table` (statements or items) of one (course, learner, registration), in time
        order, as dicts with aware UTC times."""
        query = select(table).where(table.c.course_iri == key[0], table.c.learner_key == key[1],
                                    table.c.registration == key[2])
        if not include_voided:
            query = query.where(table.c.voided_by.is_(None))
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(table.c.timestamp, table.c.id)).mappings().all()
        return [{k: aware(v) if isinstance(v, datetime) else v for k, v in row.items()} for row in rows]

    def counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            return {table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
                    for table in schema.metadata.sorted_tables}

    def rejected(self) -> list[dict]:
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(select(schema.rejected).order_by(schema.rejected.c.id)).mappings()]

    # --- certificates -----------------------------------------------------------------------------------------

    def certificate_for(self, key: tuple[str, str, str]) -> dict | None:
        T = schema.certificates
        with self.engine.connect() as conn:
            row = conn.execute(select(T).where(T.c.course_iri == key[0], T.c.learner_key == key[1],
                                               T.c.registration == key[2])).mappings().first()
        return _aware_dict(row)

    def certificate(self, code: str) -> dict | None:
        T = schema.certificates
        with self.engine.connect() as conn:
            row = conn.execute(select(T).where(T.c.code == code)).mappings().first()
        return _aware_dict(row)

    def add_certificate(self, values: dict) -> dict:
        """Keep a certificate; when the record already has one, that one (a certificate is issued once)."""
        T = schema.certificates
        with self.engine.begin() as conn:
            conn.execute(_insert(conn, T).on_conflict_do_nothing(
                index_elements=["course_iri", "learner_key", "registration"]), [values])
        return self.certificate_for((values["course_iri"], values["learner_key"], values["registration"]))


def _aware_dict(row) -> dict | None:
    if row is None:
        return None
    return {k: aware(v) if isinstance(v, datetime) else v for k, v in row.items()}


def _fact_row(fact: Fact, lrs: str, now: datetime) -> dict:
    return {
        "id": fact.id, "course_iri": fact.course_iri, "learner_key": fact.learner.key,
        "registration": fact.registration, "verb": fact.verb, "timestamp": fact.timestamp, "stored": fact.stored,
        "success": fact.success, "completion": fact.completion, "score_scaled": fact.score_scaled,
        "score_raw": fact.score_raw, "score_min": fact.score_min, "score_max": fact.score_max,
        "duration_seconds": fact.duration_seconds, "session_id": fact.session_id, "version": fact.version,
        "package_hash": fact.package_hash, "voided_by": None, "lrs": lrs, "pulled_at": now,
    }


def _item_row(item: Item, lrs: str, now: datetime) -> dict:
    return {
        "id": item.id, "course_iri": item.course_iri, "learner_key": item.learner.key,
        "registration": item.registration, "verb": item.verb, "activity_iri": item.activity_iri,
        "parent_iri": item.parent_iri, "timestamp": item.timestamp, "response": item.response,
        "success": item.success, "score_scaled": item.score_scaled, "duration_seconds": item.duration_seconds,
        "attempt": None, "session_id": item.session_id, "voided_by": None, "lrs": lrs, "pulled_at": now,
    }


def _row_fact(row) -> Fact:
    learner = Learner(row["learner_key"], row["kind"], row["identifier"], row["home_page"], row["name"])
    return Fact(
        id=row["id"], course_iri=row["course_iri"], learner=learner, registration=row["registration"],
        verb=row["verb"], timestamp=aware(row["timestamp"]), stored=aware(row["stored"]),
        success=row["success"], completion=row["completion"], score_scaled=row["score_scaled"],
        score_raw=row["score_raw"], score_min=row["score_min"], score_max=row["score_max"],
        duration_seconds=row["duration_seconds"], session_id=row["session_id"], version=row["version"],
        package_hash=row["package_hash"])


def _record_row(values: RecordValues, now: datetime) -> dict:
    return {
        "course_iri": values.course_iri, "learner_key": values.learner.key, "registration": values.registration,
        "result": values.result, "earned": values.earned, "first_launch_at": values.first_launch_at,
        "completed_at": values.completed_at, "best_score": values.best_score, "last_score": values.last_score,
        "attempts": values.attempts, "sessions": values.sessions, "total_seconds": values.total_seconds,
        "ce_hours": values.ce_hours, "version": values.version, "package_hash": values.package_hash,
        "statement_count": values.statement_count, "last_statement_at": values.last_statement_at,
        "updated_at": now,
    }


def _record_from(row) -> RecordRow:
    data = {name: row[name] for name in RecordRow.__dataclass_fields__}
    for name in ("first_launch_at", "completed_at", "last_statement_at"):
        data[name] = aware(data[name])
    return RecordRow(**data)
