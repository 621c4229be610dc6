// The API journey through openapi-fetch, typed by openapi-typescript from the live schema
// (./schema.d.ts, generated next to a copy of this file by test_typescript_client.py, which
// compiles it with `tsc --strict` and runs it with the cast in $CAST). Throws on any surprise.
import createClient from "openapi-fetch";
import type { paths } from "./schema.js";

interface Cast {
  base_url: string;
  password: string;
  member: string;
  pm: string;
  moderator: string;
  category: string;
  idea: number;
  flagged: number;
}

const cast: Cast = JSON.parse(process.env.CAST ?? "{}");

function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(`failed: ${what}`);
}

// The body of a success with the expected status; the error body otherwise.
function must<T>(result: { data?: T; error?: unknown; response: Response }, status = 200): T {
  const { data, error, response } = result;
  if (response.status !== status || data === undefined) {
    throw new Error(`${response.url}: ${response.status} ${JSON.stringify(error)}`);
  }
  return data;
}

const anonymous = createClient<paths>({ baseUrl: cast.base_url });

async function logIn(username: string) {
  const { token } = must(
    await anonymous.POST("/api/auth/token/", { body: { username, password: cast.password } }),
  );
  return createClient<paths>({ baseUrl: cast.base_url, headers: { Authorization: `Token ${token}` } });
}

const idea = { params: { path: { id: cast.idea } } };
const flagged = { params: { path: { id: cast.flagged } } };

const alice = await logIn(cast.member);
for (const sort of ["popular", "top", "new", "trending"] as const) {
  const page = must(await alice.GET("/api/ideas/", { params: { query: { sort } } }));
  check(page.results.some((each) => each.id === cast.idea), `the ${sort} list`);
  check(page.count === 2 && page.next === null, `the ${sort} page`);
}

const mine = must(
  await alice.POST("/api/ideas/", {
    body: {
      title: "Sync notebooks between devices",
      description: "Edit on the phone, carry on at the desk.",
      category: cast.category,
      tags: ["offline", "sync"],
    },
  }),
  201,
);
check([...mine.tags].sort().join() === "offline,sync", "a list is sent once");
check(mine.author === cast.member && mine.category === cast.category, "the new idea");

let state = must(await alice.PUT("/api/ideas/{id}/vote/", { ...idea, body: { value: 1 } }));
check(state.my_vote === 1 && state.promotes === 1 && state.demotes === 0, "a promote");
state = must(await alice.PUT("/api/ideas/{id}/vote/", { ...idea, body: { value: -1 } }));
check(state.my_vote === -1 && state.promotes === 0 && state.demotes === 1, "switched to demote");
state = must(await alice.DELETE("/api/ideas/{id}/vote/", idea));
check(state.my_vote === null && state.score === 0, "withdrawn");

const comment = must(
  await alice.POST("/api/ideas/{id}/comments/", { ...idea, body: { body: "Yes, *please*." } }),
  201,
);
check(comment.idea === cast.idea && comment.body_html.includes("<em>please</em>"), "comment");
must(await alice.POST("/api/ideas/{id}/flags/", { ...flagged, body: { reason: "spam" } }), 201);
check(must(await alice.PUT("/api/ideas/{id}/follow/", idea)).following, "following");

const pat = await logIn(cast.pm);
const answered = must(
  await pat.POST("/api/ideas/{id}/status/", {
    ...idea,
    body: { status: "planned", response: "Coming in the **spring** release." },
  }),
);
check(answered.status === "planned", "the status");
check(answered.response_html.includes("<strong>spring</strong>"), "the official response");

const told = must(await alice.GET("/api/notifications/")).results.filter(
  (each) => each.idea === cast.idea,
);
const first = told[0];
check(told.length === 1 && first !== undefined && first.read_at === null, "one notification");
if (first === undefined) throw new Error("no notification");
const read = must(await alice.POST("/api/notifications/read/", { body: { ids: [first.id] } }));
check(read.marked === 1, "marked read");
const again = must(await alice.GET("/api/notifications/")).results[0];
check(again !== undefined && again.read_at !== null, "read");

const merged = must(
  await pat.POST("/api/ideas/{id}/merge/", {
    params: { path: { id: mine.id } },
    body: { into: cast.idea, reason: "The same wish." },
  }),
  201,
);
check(merged.kept === cast.idea && merged.merged === mine.id, "the merge");
const exported = await pat.GET("/api/ideas/export/");
check(exported.response.status === 200, "the export");

const mo = await logIn(cast.moderator);
const hidden = must(
  await mo.POST("/api/moderation/ideas/{id}/hide/", { ...flagged, body: { reason: "Spam." } }),
);
check(hidden.state === "hidden" && hidden.open_flags === 0, "hidden");
const restored = must(
  await mo.POST("/api/moderation/ideas/{id}/restore/", {
    ...flagged,
    body: { reason: "A mistake." },
  }),
);
check(restored.state === "visible", "restored");

const visible = must(await anonymous.GET("/api/ideas/", { params: { query: { sort: "new" } } }));
const ids = visible.results.map((each) => each.id).sort((a, b) => a - b);
check(ids.join() === [cast.idea, cast.flagged].sort((a, b) => a - b).join(), "a visitor's list");
console.log("journey complete");
