// Pre-signs N requests to Keyward's loopback endpoint for a load tool (wrk), as an independent
// implementation of the endpoint's request MAC (node:crypto only): fetches single-use server
// nonces in batches, then writes one line per request, `nonce \t mac`, for wrk's Lua script
// (scripts/bench/endpoint-wrk.lua) to send with the same body.
//
//   node scripts/bench/endpoint-load.mjs CREDENTIALS.json BODY.json COUNT > requests.tsv
//
// The MAC: HMAC-SHA256 keyed by the 32 bytes of SHA-256(token), over
// "KWREQ1\n" + nonce + "\nPOST\n/v1/requests\n" + hex(SHA-256(body)), base64url without padding.
import { createHash, createHmac } from "node:crypto";
import { readFileSync } from "node:fs";

const [credsPath, bodyPath, countArg] = process.argv.slice(2);
if (!credsPath || !bodyPath || !countArg) {
  console.error("usage: endpoint-load.mjs CREDENTIALS.json BODY.json COUNT");
  process.exit(2);
}
const creds = JSON.parse(readFileSync(credsPath, "utf8"));
const body = readFileSync(bodyPath);
const count = Number(countArg);
const key = createHash("sha256").update(creds.token).digest();
const bodyHash = createHash("sha256").update(body).digest("hex");

const out = [];
while (out.length < count) {
  const n = Math.min(1000, count - out.length);
  const res = await fetch(`${creds.url}/v1/nonce?count=${n}`, { method: "POST" });
  if (!res.ok) throw new Error(`nonce: HTTP ${res.status}`);
  const { nonces } = await res.json();
  for (const nonce of nonces) {
    const mac = createHmac("sha256", key)
      .update(`KWREQ1\n${nonce}\nPOST\n/v1/requests\n${bodyHash}`)
      .digest("base64url");
    out.push(`${nonce}\t${mac}`);
  }
}
process.stdout.write(out.join("\n") + "\n");
