"""Databases, containers and their throughput offers: create, read, list, replace, delete."""

from __future__ import annotations

import copy
import time
from typing import Any

from local_emulators.cosmos.backend.container_settings import complete_indexing_policy
from local_emulators.cosmos.backend.models import Container, Database, Offer, new_etag, new_rid
from local_emulators.cosmos.backend.store import SqliteStore
from local_emulators.cosmos.errors import BadRequestError, ConflictError, NotFoundError

DEFAULT_THROUGHPUT = 400
_DEFAULT_CONFLICT_POLICY = {
    "mode": "LastWriterWins",
    "conflictResolutionPath": "/_ts",
    "conflictResolutionProcedure": "",
}


def _validate_id(resource_id: Any, what: str) -> str:
    if not isinstance(resource_id, str) or not resource_id:
        raise BadRequestError("The input content is invalid because the required properties - 'id; ' - are missing")
    if len(resource_id) > 255:
        raise BadRequestError(
            "The input name presented is too long. Ensure to provide a unique non-empty string less than '255' "
            "characters."
        )
    if any(ch in resource_id for ch in "/\\?#"):
        raise BadRequestError(f"The {what} id '{resource_id}' is invalid: it may not contain / \\ ? #.")
    return resource_id


class Catalog:
    """The account's resources, kept in memory and written through to the store."""

    def __init__(self, store: SqliteStore) -> None:
        self.store = store
        self.databases: dict[str, Database] = {}
        self.containers_by_rid: dict[str, Container] = {}
        self.offers: dict[str, Offer] = {}
        self._load()

    def _load(self) -> None:
        for body in self.store.databases():
            self.databases[body["id"]] = Database(rid=body["_rid"], id=body["id"], body=body)
        for db_id, lsn, body in self.store.containers():
            database = self.databases.get(db_id)
            if database is None:
                continue
            container = Container(rid=body["_rid"], db_id=db_id, id=body["id"], body=body, lsn=lsn)
            for record in self.store.items(container.rid):
                container.partitions.setdefault(record.pk, {})[record.id] = record
            database.containers[container.id] = container
            self.containers_by_rid[container.rid] = container
        for _resource_rid, body in self.store.offers():
            self.offers[body["_rid"]] = Offer(rid=body["_rid"], resource_rid=body["offerResourceId"], body=body)

    def clear(self) -> None:
        """Forget everything, durably."""
        self.store.wipe()
        self.databases.clear()
        self.containers_by_rid.clear()
        self.offers.clear()

    # ------------------------------------------------------------------ databases
    def create_database(self, body: dict[str, Any], throughput: dict[str, Any] | None) -> Database:
        """Create a database (and its shared offer when throughput is given); 409 if it exists."""
        db_id = _validate_id(body.get("id"), "database")
        if db_id in self.databases:
            raise ConflictError(f"Entity with the specified id already exists in the system. ResourceId: {db_id}")
        rid = new_rid()
        stored = {
            "id": db_id,
            "_rid": rid,
            "_self": f"dbs/{rid}/",
            "_etag": new_etag(),
            "_colls": "colls/",
            "_users": "users/",
            "_ts": int(time.time()),
        }
        self.store.put_database(stored)
        database = Database(rid=rid, id=db_id, body=stored)
        self.databases[db_id] = database
        if throughput is not None:
            self._create_offer(stored, throughput)
        return database

    def database(self, db_id: str) -> Database:
        """The database with this id, or 404."""
        database = self.databases.get(db_id)
        if database is None:
            raise NotFoundError(f"Resource Not Found. Database '{db_id}' does not exist.")
        return database

    def delete_database(self, db_id: str) -> None:
        """Delete a database with its containers, items and offers."""
        database = self.database(db_id)
        self.store.delete_database(db_id, [c.rid for c in database.containers.values()])
        self.store.delete_offers_of(database.rid)
        for container in database.containers.values():
            self._forget_container(container)
        self._drop_offers(database.rid)
        del self.databases[db_id]

    # ------------------------------------------------------------------ containers
    def create_container(self, db_id: str, body: dict[str, Any], throughput: dict[str, Any] | None) -> Container:
        """Create a container, filling in the service's defaults; 409 if it exists."""
        database = self.database(db_id)
        coll_id = _validate_id(body.get("id"), "container")
        key = body.get("partitionKey") or {"paths": [], "kind": "Hash"}
        paths = key.get("paths") or []
        # Azure validates the definition before it looks for the id: an invalid one is 400 even if it exists.
        limit = 3 if str(key.get("kind", "Hash")) == "MultiHash" else 1
        if len(paths) > limit:
            raise BadRequestError(
                f"Too many partition key paths ({len(paths)}) are specified. A maximum of {limit} is allowed."
            )
        if coll_id in database.containers:
            raise ConflictError(f"Entity with the specified id already exists in the system. ResourceId: {coll_id}")
        rid = new_rid(database.rid)
        stored = copy.deepcopy(body)
        stored["indexingPolicy"] = complete_indexing_policy(stored.get("indexingPolicy"))
        stored.setdefault("conflictResolutionPolicy", dict(_DEFAULT_CONFLICT_POLICY))
        stored.setdefault("geospatialConfig", {"type": "Geography"})
        stored["partitionKey"] = {"version": 2, **key}
        stored.update(self._container_system_properties(database, rid))
        container = Container(rid=rid, db_id=db_id, id=coll_id, body=stored)
        self.store.put_container(db_id, 0, stored)
        database.containers[coll_id] = container
        self.containers_by_rid[rid] = container
        if "offerThroughput" in (throughput or {}) or "offerAutopilotSettings" in (throughput or {}):
            self._create_offer(stored, throughput or {})
        elif not self._offer_for(database.rid):
            # The SDK's get_throughput crashes on a container with no offer at all, so always make one.
            self._create_offer(stored, {"offerThroughput": DEFAULT_THROUGHPUT})
        return container

    @staticmethod
    def _container_system_properties(database: Database, rid: str) -> dict[str, Any]:
        return {
            "_rid": rid,
            "_self": f"dbs/{database.rid}/colls/{rid}/",
            "_etag": new_etag(),
            "_ts": int(time.time()),
            "_docs": "docs/",
            "_sprocs": "sprocs/",
            "_triggers": "triggers/",
            "_udfs": "udfs/",
            "_conflicts": "conflicts/",
        }

    def by_name(self, segments: list[str]) -> list[str]:
        """A link's segments with rid-based `dbs/<rid>/colls/<rid>` translated into ids (others left as they are)."""
        if len(segments) >= 2 and segments[0] == "dbs" and segments[1] not in self.databases:
            for database in self.databases.values():
                if database.rid == segments[1]:
                    segments = [segments[0], database.id, *segments[2:]]
                    if len(segments) >= 4 and segments[3] not in database.containers:
                        for container in database.containers.values():
                            if container.rid == segments[3]:
                                segments = [*segments[:3], container.id, *segments[4:]]
                    break
        return segments

    def container(self, db_id: str, coll_id: str) -> Container:
        """The container with this id in this database, or 404."""
        container = self.database(db_id).containers.get(coll_id)
        if container is None:
            raise NotFoundError(f"Resource Not Found. Container '{coll_id}' does not exist in database '{db_id}'.")
        return container

    def replace_container(self, db_id: str, coll_id: str, body: dict[str, Any]) -> Container:
        """Replace a container's settings; its partition key cannot change."""
        container = self.container(db_id, coll_id)
        if body.get("id") != coll_id:
            raise BadRequestError("The id in the body must match the container being replaced.")
        old_key = container.body.get("partitionKey", {}).get("paths")
        if body.get("partitionKey") and body["partitionKey"].get("paths") != old_key:
            raise BadRequestError("The partition key of a container cannot be changed.")
        stored = {key: value for key, value in body.items() if not key.startswith("_")}
        stored["partitionKey"] = container.body["partitionKey"]
        for keep in ("indexingPolicy", "conflictResolutionPolicy", "geospatialConfig"):
            stored.setdefault(keep, container.body.get(keep))
        stored["indexingPolicy"] = complete_indexing_policy(stored.get("indexingPolicy"))
        stored.update(self._container_system_properties(self.database(db_id), container.rid))
        self.store.put_container(db_id, container.lsn, stored)
        container.body = stored
        return container

    def delete_container(self, db_id: str, coll_id: str) -> None:
        """Delete a container with its items and offer."""
        container = self.container(db_id, coll_id)
        self.store.delete_container(container.rid)
        del self.databases[db_id].containers[coll_id]
        self._forget_container(container)

    def _forget_container(self, container: Container) -> None:
        self.containers_by_rid.pop(container.rid, None)
        self._drop_offers(container.rid)

    # ------------------------------------------------------------------ offers
    def _create_offer(self, resource: dict[str, Any], throughput: dict[str, Any]) -> Offer:
        rid = new_rid(size=3)
        content: dict[str, Any] = {"offerThroughput": int(throughput.get("offerThroughput", DEFAULT_THROUGHPUT))}
        if "offerAutopilotSettings" in throughput:
            content = {"offerThroughput": 400, "offerAutopilotSettings": throughput["offerAutopilotSettings"]}
        body = {
            "id": rid,
            "_rid": rid,
            "_self": f"offers/{rid}/",
            "_etag": new_etag(),
            "_ts": int(time.time()),
            "offerVersion": "V2",
            "offerType": "Invalid",
            "resource": resource["_self"],
            "offerResourceId": resource["_rid"],
            "content": content,
        }
        self.store.put_offer(resource["_rid"], body)
        offer = Offer(rid=rid, resource_rid=resource["_rid"], body=body)
        self.offers[rid] = offer
        return offer

    def _offer_for(self, resource_rid: str) -> Offer | None:
        return next((offer for offer in self.offers.values() if offer.resource_rid == resource_rid), None)

    def _drop_offers(self, resource_rid: str) -> None:
        for rid in [rid for rid, offer in self.offers.items() if offer.resource_rid == resource_rid]:
            del self.offers[rid]

    def offer(self, rid: str) -> Offer:
        """The offer with this rid, or 404."""
        offer = self.offers.get(rid)
        if offer is None:
            raise NotFoundError(f"Resource Not Found. Offer '{rid}' does not exist.")
        return offer

    def replace_offer(self, rid: str, body: dict[str, Any]) -> Offer:
        """Replace an offer's content (its throughput)."""
        offer = self.offer(rid)
        stored = copy.deepcopy(offer.body)
        stored["content"] = body.get("content", stored["content"])
        stored["_etag"] = new_etag()
        stored["_ts"] = int(time.time())
        self.store.put_offer(offer.resource_rid, stored)
        offer.body = stored
        return offer
