// npm @azure/identity's AzureCliCredential as a program uses it: it runs `az` from PATH.
//
//   node azure_cli_client.mjs NODE_MODULES_PARENT SCOPE [TENANT]
//
// Prints {"token", "expires_on"} or {"error": the error's name, "message"} as JSON.
import { createRequire } from "node:module";

const [packagesFolder, scope, tenantId] = process.argv.slice(2);
const require = createRequire(packagesFolder + "/");
const { AzureCliCredential } = require("@azure/identity");

try {
  const credential = new AzureCliCredential(tenantId ? { tenantId } : {});
  const token = await credential.getToken(scope);
  console.log(JSON.stringify({ token: token.token, expires_on: Math.floor(token.expiresOnTimestamp / 1000) }));
} catch (error) {
  console.log(JSON.stringify({ error: error.name, message: error.message }));
}
