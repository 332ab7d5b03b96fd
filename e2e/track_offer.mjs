// Create, read, include, update and delete a track offer with kitsu, an
// established JSON:API client, against a running server. Prints what it
// saw as JSON. Run by tests/test_kitsu_e2e.py with BASE_URL, TOKEN,
// TRACK_ID and OFFER_ID in the environment.
import assert from "node:assert/strict";
import Kitsu from "kitsu";

const { BASE_URL, TOKEN, TRACK_ID, OFFER_ID } = process.env;

const api = new Kitsu({
  baseURL: `${BASE_URL}/api/v1`,
  headers: { Authorization: `Bearer ${TOKEN}` },
  // The API's types and paths are already plural and dasherized.
  camelCaseTypes: false,
  pluralize: false,
  resourceCase: "none",
});

// Relationships go in as {data: {type, id}}, as kitsu 10+ serialises them.
const created = await api.create("track-offers", {
  usage: { copy_scan: false },
  track: { data: { type: "tracks", id: TRACK_ID } },
  offer: { data: { type: "offers", id: OFFER_ID } },
});
const id = created.data.id;

const read = await api.get(`track-offers/${id}`);
assert.deepEqual(read.data.usage, { copy_scan: false });
assert.equal(read.data.track.data.id, TRACK_ID);

const listed = await api.get("track-offers", {
  params: { filter: { "offer-id": OFFER_ID }, include: "track,offer" },
});
assert.equal(listed.data.length, 1);

const updated = await api.update("track-offers", {
  id,
  usage: { copy_scan: true },
  "release-date": "2027-01-15",
});

await api.remove("track-offers", id);
let status = null;
try {
  await api.get(`track-offers/${id}`);
} catch (error) {
  status = error.response?.status ?? error.errors?.[0]?.status;
}

console.log(
  JSON.stringify({
    created: { id, usage: created.data.usage },
    read: { track: read.data.track.data.id, offer: read.data.offer.data.id },
    included: {
      isrc: listed.data[0].track.data["isrc-code"],
      offerUsage: listed.data[0].offer.data.usage,
    },
    updated: {
      usage: updated.data.usage,
      releaseDate: updated.data["release-date"],
    },
    afterDelete: Number(status),
  }),
);
