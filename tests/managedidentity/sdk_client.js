// Asks npm @azure/identity (NODE_PATH: the conformance folder's node_modules) for a token the way an
// application does, with IDENTITY_ENDPOINT and IDENTITY_HEADER in its environment, and prints one JSON
// line: the SHA-256 of the token (never the token) and its expiry in epoch seconds, or the error's name
// and message. Exit 0 with a token, 1 without.
//
//   node sdk_client.js managed|default SCOPE
"use strict";
const crypto = require("node:crypto");
const { DefaultAzureCredential, ManagedIdentityCredential } = require("@azure/identity");

async function main() {
  const [kind, scope] = process.argv.slice(2);
  const credential = kind === "managed" ? new ManagedIdentityCredential() : new DefaultAzureCredential();
  try {
    const token = await credential.getToken(scope);
    const sha256 = crypto.createHash("sha256").update(token.token).digest("hex");
    console.log(JSON.stringify({ sha256, expires_on: Math.floor(token.expiresOnTimestamp / 1000) }));
    return 0;
  } catch (error) {
    console.log(JSON.stringify({ error: error.name, message: String(error.message) }));
    return 1;
  }
}

main().then((code) => process.exit(code));
