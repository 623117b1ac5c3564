"""Persons: found by the keyed hash of their identity, made on first sight, shown masked."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.engine import Connection

from creditmend.adapters.db import tables as t
from creditmend.adapters.db.base import UnitOfWork
from creditmend.adapters.vault import IdentityVault
from creditmend.domain.creditfile.furnisher import mask_id

# Built once: every inquiry looks its subject up (see `reading.py`).
PERSON_OF_HASH = select(t.persons.c.id, t.persons.c.name_known).where(
    t.persons.c.id_hash == bindparam("id_hash")
)


def find_person(conn: Connection, vault: IdentityVault, id_type: str, id_number: str) -> int | None:
    key = vault.id_hash(id_type, id_number)
    found = conn.execute(select(t.persons.c.id).where(t.persons.c.id_hash == key))
    return found.scalar_one_or_none()


def person_id(
    conn: Connection,
    vault: IdentityVault,
    id_type: str,
    id_number: str,
    at: datetime,
    name: str | None = None,
) -> int:
    """The person's row, made on first sight: an inquiry about someone the bureau has no
    data on is still information about them (they will see it in their own report)."""
    key = vault.id_hash(id_type, id_number)
    row = conn.execute(PERSON_OF_HASH, {"id_hash": key}).one_or_none()
    if row is None:
        return int(
            conn.execute(
                insert(t.persons)
                .values(
                    id_hash=key,
                    id_type=id_type,
                    id_cipher=vault.encrypt(id_number),
                    name_cipher=vault.encrypt(name or ""),
                    name_known=name is not None,
                    created_at=at,
                )
                .returning(t.persons.c.id)
            ).scalar_one()
        )
    if name is not None and not row.name_known:
        conn.execute(
            update(t.persons)
            .where(t.persons.c.id == row.id)
            .values(name_cipher=vault.encrypt(name), name_known=True)
        )
    return int(row.id)


def persons_of(
    conn: Connection,
    vault: IdentityVault,
    identities: dict[tuple[str, str], str | None],
    at: datetime,
) -> dict[tuple[str, str], int]:
    """`person_id` for many identities at once ((type, number) -> name or None, in the order
    met): what one `person_id` call after another gives (the same rows, made in that order),
    with one look-up per thousand identities and the new persons written together, instead of
    a look-up and a write per person."""
    hashes = {identity: vault.id_hash(*identity) for identity in identities}
    wanted = list(dict.fromkeys(hashes.values()))
    found: dict[str, tuple[int, bool]] = {}
    for start in range(0, len(wanted), 1000):
        query = select(t.persons.c.id_hash, t.persons.c.id, t.persons.c.name_known).where(
            t.persons.c.id_hash.in_(wanted[start : start + 1000])
        )
        found.update(
            (row.id_hash, (int(row.id), bool(row.name_known))) for row in conn.execute(query)
        )
    named: dict[int, str] = {}  # stored persons without a name, given one now
    new: dict[str, tuple[tuple[str, str], str | None]] = {}  # the first spelling, its name
    for identity, name in identities.items():
        key = hashes[identity]
        if key in found:
            pk, known = found[key]
            if name is not None and not known:
                named[pk] = name
                found[key] = (pk, True)
        elif key in new:  # another spelling of a person made here: it may bring the name
            if name is not None and new[key][1] is None:
                new[key] = (new[key][0], name)
        else:
            new[key] = (identity, name)
    if named:
        conn.execute(
            update(t.persons)
            .where(t.persons.c.id == bindparam("pk"))
            .values(name_cipher=bindparam("cipher"), name_known=True),
            [{"pk": pk, "cipher": vault.encrypt(name)} for pk, name in named.items()],
        )
    if new:
        conn.execute(
            insert(t.persons),
            [
                {
                    "id_hash": key,
                    "id_type": identity[0],
                    "id_cipher": vault.encrypt(identity[1]),
                    "name_cipher": vault.encrypt(name or ""),
                    "name_known": name is not None,
                    "created_at": at,
                }
                for key, (identity, name) in new.items()
            ],
        )
        made = list(new)
        for start in range(0, len(made), 1000):
            query = select(t.persons.c.id_hash, t.persons.c.id).where(
                t.persons.c.id_hash.in_(made[start : start + 1000])
            )
            found.update((row.id_hash, (int(row.id), True)) for row in conn.execute(query))
    return {identity: found[key][0] for identity, key in hashes.items()}


class SqlPersonDirectory:
    """The `PersonDirectory` port."""

    def __init__(self, unit_of_work: UnitOfWork) -> None:
        self.unit_of_work = unit_of_work

    def person_of(self, id_type: str, id_number: str) -> int | None:
        with self.unit_of_work.reading() as conn:
            return find_person(conn, self.unit_of_work.vault, id_type, id_number)

    def masked_subject(self, person: int) -> str:
        """The subject as a letter addresses them: masked, like a report's header."""
        with self.unit_of_work.reading() as conn:
            cipher = conn.execute(
                select(t.persons.c.id_cipher).where(t.persons.c.id == person)
            ).scalar_one()
        return mask_id(self.unit_of_work.vault.decrypt(cipher))
