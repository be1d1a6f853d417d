<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US" sourcelanguage="en">
<context>
    <name>azid::ui::AccountService</name>
    <message>
        <source>This account is not signed in any more: add it again with &quot;Add account&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This account was removed while its token was requested.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Preparing the sign-in…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Azid is shutting down.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting for you to sign in in the browser…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No browser could be started: open the address below in a browser yourself.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The sign-in window was closed before the sign-in finished. Start again to retry.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The embedded browser stopped unexpectedly (exit code %1). Use the system browser or a device code instead.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The embedded browser could not be started (%1). Use the system browser or a device code instead.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign in in the Azid sign-in window…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting for you to enter the code and sign in…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Checking the user name and password…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saving the account…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This account is not signed in.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The file is not an account record (JSON as azure.identity&apos;s AuthenticationRecord.serialize() writes it, or an array of them).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Azid runs in memory-only mode: it writes no tokens anywhere, so it cannot share them with the Azure tools either. Turn memory-only mode off in Settings to use this.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This account is not signed in any more.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The setting &quot;Share with Azure tools&quot; of %1 could not be saved: %2 Nothing was changed; try again once the keychain is available.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>turn &quot;Share with Azure tools&quot; off and on again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>turn &quot;Share with Azure tools&quot; on and off again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The shared cache lives in the system keychain (Secret Service), and none is reachable: start your keyring (e.g. GNOME Keyring or KWallet), then %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unlock the keychain, then %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Allow Azid when the keychain asks, then %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The keychain did not answer, perhaps because a prompt is waiting: answer it, then %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Another program was writing the shared cache: wait a moment, then %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>To try again, %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 could not be shared with the Azure tools (azure.identity&apos;s shared token cache): %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 could not be removed from azure.identity&apos;s shared token cache: %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>azid::ui::AccountsModel</name>
    <message>
        <source>Needs sign-in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Valid until %1, refreshable</source>
        <extracomment>%1 is the time of day the access token expires</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Valid until %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refreshable (no valid access token)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (default)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Shared with Azure tools</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not shared with Azure tools</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1&apos;s sign-ins and token refreshes are copied into azure.identity&apos;s shared token cache, for SharedTokenCacheCredential and other Microsoft tools. Uncheck to remove it from there.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check to copy %1&apos;s sign-ins and token refreshes into azure.identity&apos;s shared token cache, for SharedTokenCacheCredential and other Microsoft tools.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>An access token is valid %1 (for %2).</source>
        <extracomment>%1 is when it expires (&quot;in 5 min&quot;), %2 its scopes</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A refresh token is cached: new tokens come without a sign-in.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No refresh token is cached: sign in again for new tokens.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1
Home account: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>User</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tenant</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cloud / authority</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Client ID</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign-in method</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last sign-in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Azure tools</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tokens</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>azid::ui::AccountsWindow</name>
    <message numerus="yes">
        <source>Remove account — Azid</source>
        <extracomment>The number of accounts to remove selects the form</extracomment>
        <translation>
            <numerusform>Remove account — Azid</numerusform>
            <numerusform>Remove accounts — Azid</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Its cached tokens and its keychain items are deleted, for Azid and azid-cli alike. Signing in again brings it back.</source>
        <extracomment>The number of accounts to remove selects the form</extracomment>
        <translation>
            <numerusform>Its cached tokens and its keychain items are deleted, for Azid and azid-cli alike. Signing in again brings it back.</numerusform>
            <numerusform>Their cached tokens and their keychain items are deleted, for Azid and azid-cli alike. Signing in again brings them back.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Exported %n account record(s) to %1 (no tokens).</source>
        <translation>
            <numerusform>Exported %n account record to %1 (no tokens).</numerusform>
            <numerusform>Exported %n account records to %1 (no tokens).</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Imported %n account record(s). Sign in to get their tokens.</source>
        <translation>
            <numerusform>Imported %n account record. Sign in to get its tokens.</numerusform>
            <numerusform>Imported %n account records. Sign in to get their tokens.</numerusform>
        </translation>
    </message>
    <message>
        <source>Accounts — Azid</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Accounts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add account…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign in again…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Inspect token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Set as default</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Share with Azure tools</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy the selected account&apos;s sign-in into azure.identity&apos;s shared token cache, or remove it from there.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Import…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Settings…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No accounts yet. Add one with &quot;Add account…&quot;: sign in with the system browser, a device code or a user name and password.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Also keep the selected account&apos;s sign-in in azure.identity&apos;s shared token cache, where SharedTokenCacheCredential, DefaultAzureCredential and other Microsoft tools find it; updated after each sign-in and token refresh. Turn off to remove it from there.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sharing %1 with the Azure tools…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Removing %1 from azure.identity&apos;s shared token cache…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is in azure.identity&apos;s shared token cache: SharedTokenCacheCredential and other Microsoft tools can use it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 was removed from azure.identity&apos;s shared token cache.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Other scope…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Paste a token…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove %1?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Removing %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Removed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not remove the account: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Default account changed: azid-cli uses it without --account.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not change the default account: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot write %1: %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Account records (*.json);;All files (*)</source>
        <extracomment>The file dialog&apos;s filters: keep the patterns in parentheses as they are</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export account records</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot read %1: %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not import: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Import account records</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>azid::ui::AppSettings</name>
    <message>
        <source>Authorization: Bearer header</source>
        <extracomment>&quot;Authorization: Bearer&quot; is the HTTP header as it is copied: keep it as it is</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Raw token</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>azid::ui::Autostart</name>
    <message>
        <source>Cannot remove %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot create the folder of %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot write %1: %2.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>azid::ui::ClaimExplanation</name>
    <message>
        <source>Audience: the resource (API) the token is for. Other APIs refuse it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Issuer: the authority and tenant that issued the token.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tenant ID: the directory the user signed in to.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Object ID: the user&apos;s (or app&apos;s) immutable ID in that tenant; use it for authorization, not the name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Subject: the principal, unique per application.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>User principal name (v1 tokens); may change, do not use it as a key.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The user name to show (v2 tokens); may change, do not use it as a key.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A human-readable user name (v1 tokens), for display.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The user&apos;s display name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scopes: the delegated permissions the user granted to the client.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>App roles assigned to the user or application in the resource.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Authentication methods used: pwd (password), mfa, rsa, wia (Windows), fed (federated)...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Authentication context class references satisfied (c1, c2, ...): conditional access step-up.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Authentication context class: 0 means the user did not meet ISO/IEC 29115 requirements.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Client capabilities: cp1 means the client handles claims challenges (continuous access evaluation).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Issued at.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not before: the token is not valid before this time.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Expires: the token is refused after this time.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>When the user last entered credentials.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Application (client) ID that requested the token (v1).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Authorized party: the client ID that requested the token (v2).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>How the client authenticated: 0 public client, 1 secret, 2 certificate (v1).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>How the client authenticated: 0 public client, 1 secret, 2 certificate (v2).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Token format version: 1.0 or 2.0.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Token identifier, for Microsoft support.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Token identifier.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Identity provider that authenticated the user, when it is not the issuer (guests, personal accounts).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>IP address the user authenticated from.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Directory roles (template IDs) of the user.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Object IDs of the user&apos;s groups.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The user has too many groups for the token; ask Microsoft Graph.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Replay protection value of the sign-in request.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The user&apos;s e-mail address, if any.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The user&apos;s first name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The user&apos;s last name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>When the tenant was created.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Internal claim Entra uses to revalidate tokens.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Internal claim Entra uses to reuse tokens.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Session ID of the user&apos;s sign-in session.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Signature algorithm.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Token type.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ID of the key that signed the token (in the issuer&apos;s JWKS).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Thumbprint of the signing certificate.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>azid::ui::ClaimsModel</name>
    <message>
        <source>Claim</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Value</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Meaning</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>azid::ui::Cloud</name>
    <message>
        <source>Azure public cloud</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Azure US Government</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Azure China (21Vianet)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Custom authority</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Azure</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Azure US Gov</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Azure China</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Azure Resource Manager</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Microsoft Graph</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Azure Storage</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Key Vault</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Azure DevOps</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>azid::ui::DesktopController</name>
    <message numerus="yes">
        <source>the clipboard is cleared in %n s</source>
        <translation>
            <numerusform>the clipboard is cleared in %n s</numerusform>
            <numerusform>the clipboard is cleared in %n s</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <extracomment>A token&apos;s lifetime: hours and minutes</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 min</source>
        <extracomment>A token&apos;s lifetime: minutes</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 s</source>
        <extracomment>A token&apos;s lifetime: seconds</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Storage</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Share with Azure tools</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2</source>
        <extracomment>A tray message in the status bar: its title, then its text</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Getting a token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Still getting the %1 token for %2. Click this message to cancel.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Authorization header</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Access token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the clipboard is not cleared automatically</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Token copied</source>
        <extracomment>%1 is &quot;Access token&quot; or &quot;Authorization header&quot;, %2 the scope or API, %3 the user, %4 how long the token is valid, %5 what happens to the clipboard</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 for %2 (%3). Valid for %4; %5.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stopped getting the %1 token for %2: nothing was copied.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not get a token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign in again as %1 to continue. %2</source>
        <extracomment>%2 is why: the authority&apos;s message</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign-in needed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 needs to sign in again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Signed in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is signed in.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Other scope — Azid</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy a token for %1, for the scope (e.g. api://my-api/.default or https://database.windows.net/.default):</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start at login</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>azid::ui::EmbeddedBrowser</name>
    <message>
        <source>The embedded browser (azid-webview) is not installed: it needs Qt WebEngine (Debian: qt6-webengine-dev when building). Use the system browser or a device code instead.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>azid::ui::ErrorText</name>
    <message>
        <source>The organisation requires multi-factor authentication: sign in with the system browser, the embedded browser or a device code instead of a password.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The account must register for multi-factor authentication first: sign in with a browser to do that.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The user name or password is wrong, or the account is federated (its password is checked elsewhere): check them, or sign in with a browser.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The account does not exist in this tenant: check the user name and the tenant.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The account is not a member of this tenant: choose its own tenant, or ask for a guest invitation.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nobody has consented to this application yet: sign in with a browser to consent, or ask an administrator to grant consent.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The application (client id) is not known in this tenant: check the client id, or use the default.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The tenant does not exist: check the tenant id or domain (or use &quot;organizations&quot;).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The sign-in session was revoked (password change, or an administrator): sign in again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The saved sign-in is not valid any more: sign in again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The sign-in took too long: start again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The redirect address is not registered for this application: use the default client id, or register http://localhost for yours.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The password method cannot sign in to &quot;common&quot; or &quot;consumers&quot;: enter the tenant id or domain.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This application is confidential (it needs a secret): use a public client id.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign in again to continue.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The sign-in was cancelled or refused in the browser: start again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The authority&apos;s TLS certificate is not trusted: behind a TLS-inspecting proxy, add its CA certificates in Settings (extra CA bundle).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check the network connection and the proxy in Settings, then try again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The authority is busy or failing: wait a minute and try again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Error: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Message: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What to do: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>OAuth error: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Suberror: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Codes: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Correlation ID: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Trace ID: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>HTTP status: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scopes: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Claims challenge: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>azid::ui::Jwt</name>
    <message numerus="yes">
        <source>This is not a JSON Web Token (it has %n part(s), not 3). Opaque tokens cannot be decoded.</source>
        <translation>
            <numerusform>This is not a JSON Web Token (it has %n part, not 3). Opaque tokens cannot be decoded.</numerusform>
            <numerusform>This is not a JSON Web Token (it has %n parts, not 3). Opaque tokens cannot be decoded.</numerusform>
        </translation>
    </message>
    <message>
        <source>Paste an access token or ID token to decode it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This is an encrypted token (JWE): only its audience can read it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The token is not valid base64url: was it cut off while copying?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The token&apos;s header or claims are not JSON objects.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>now</source>
        <extracomment>A point in time relative to now: it is now</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 d %2 h</source>
        <extracomment>A duration: days and hours</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <extracomment>A duration: hours and minutes</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <extracomment>A duration: minutes and seconds</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 s</source>
        <extracomment>A duration: seconds</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>in %1</source>
        <extracomment>A point in time relative to now: %1 is a duration (&quot;5 min&quot;); also used as &quot;expires in 5 min&quot; and &quot;valid in 5 min&quot;</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 ago</source>
        <extracomment>A point in time relative to now: %1 is a duration (&quot;5 min&quot;); also used as &quot;expired 5 min ago&quot;</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Paste the WWW-Authenticate header of the resource&apos;s 401 answer.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The header has no claims parameter: this 401 is not a claims challenge, a new token would not help.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The claims parameter is not base64-encoded JSON: copy the whole header again.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>azid::ui::SettingsDialog</name>
    <message>
        <source>Settings — Azid</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New sign-ins</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cloud:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Authority URL:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tenant:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Client ID:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clipboard</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy tokens as:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> s</source>
        <extracomment>The unit after the number of seconds, with its space</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Never</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clear the clipboard after:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Network</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Extra CA certificates (PEM), e.g. of a TLS-inspecting proxy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CA bundle:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>System proxy (HTTPS_PROXY or the desktop&apos;s settings)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Manual:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Proxy:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>General</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start Azid when I log in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Memory-only mode (from the next start): nothing is read from or written to the keychain or the disk; accounts and tokens last as long as Azid runs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PEM certificates (*.pem *.crt *.cer);;All files (*)</source>
        <extracomment>The file dialog&apos;s filters: keep the patterns in parentheses as they are</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a CA bundle</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The custom authority must be an https URL, such as https://login.example.com.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The CA bundle %1 cannot be read.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The proxy is an http:// or socks5:// URL with a port, such as http://proxy.example.com:3128.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Azid does not store proxy passwords in its settings file. Leave the password out of the URL, or choose the system proxy (or HTTPS_PROXY).</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>azid::ui::SignInDialog</name>
    <message>
        <source>Signing in with your browser</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Signing in in Azid&apos;s sign-in window</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Signing in with a device code</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Signing in with a user name and password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add account — Azid</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Cloud:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Authority URL:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not a Microsoft cloud: skip instance discovery</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>organizations — or a tenant id or domain</source>
        <extracomment>Keep &quot;organizations&quot;: it is what one types</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Tenant:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The application that signs in. The default is the one azure.identity uses (Azure CLI&apos;s).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>C&amp;lient ID:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>user@example.com (optional)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Login &amp;hint:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scopes to consent to now, separated by spaces.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Scopes:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign in with</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>System &amp;browser (recommended)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Embedded browser window</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Device code (sign in on another device)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>User name and &amp;password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>User name and password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only for work or school accounts without multi-factor authentication whose password Entra ID checks itself. Accounts with MFA, federated accounts and personal Microsoft accounts cannot sign in this way: use a browser or a device code.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;User name:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pass&amp;word:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Make this the default account</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Share with Azure tools (azure.identity shared cache)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Share with Azure tools</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Also keep this account&apos;s sign-in in azure.identity&apos;s shared token cache.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Close</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>If no browser window opened, open this address in a browser on this computer (the sign-in comes back to Azid through http://localhost):</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy code</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scan to open the verification page on a phone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The sign-in failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy details</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Back</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Try again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign in again: %1 — Azid</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A Qt WebEngine window of Azid&apos;s own: it shows the host it is on and uses Azid&apos;s proxy and CA settings.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>After each sign-in and token refresh, Azid also copies this account&apos;s tokens into azure.identity&apos;s shared token cache (&quot;msal.cache&quot; in the keychain), where SharedTokenCacheCredential, DefaultAzureCredential and other Microsoft tools find them. Turning it off later removes the account from that cache.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter the authority&apos;s URL, such as https://login.example.com.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The authority must be an https URL, such as https://login.example.com.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter a client ID (the default is %1).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The tenant is an id (a GUID), a domain or &quot;organizations&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter the user name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter the password.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open &lt;a href=&quot;%1&quot;&gt;%2&lt;/a&gt; in a browser on any device and enter this code:</source>
        <extracomment>%1 is the link&apos;s address, %2 the address as shown</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The code has expired: cancel and start again for a new one.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The code expires in %1:%2.</source>
        <extracomment>%1:%2 is the time left: minutes and seconds</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The sign-in could not be started.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What to do: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The sign-in was cancelled.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>azid::ui::SignInOperation</name>
    <message>
        <source>System browser</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Embedded browser</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Device code</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>User name and password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Imported record</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unknown</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>azid::ui::SingleInstance</name>
    <message>
        <source>Cannot create the lock file %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot listen on %1: %2.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>azid::ui::TokenInspector</name>
    <message>
        <source>Token inspector — Azid</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Decoded here, offline: the token is never sent anywhere. The signature is not checked.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Paste a token: eyJ…, &quot;Bearer eyJ…&quot; or &quot;Authorization: Bearer eyJ…&quot;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Claims</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Header</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>When an API answers 401 with a claims challenge (continuous access evaluation, conditional access), paste its WWW-Authenticate header here to request a new token that satisfies it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Request a new token with these claims</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Claims challenge</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(no audience)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Token for %1</source>
        <extracomment>%1 is the audience (the API the token is for), %2 the user</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Token for %1, user %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: not valid yet, valid %2.</source>
        <extracomment>%1 is &quot;Token for ...&quot;, %2 when it becomes valid (&quot;in 5 min&quot;)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: no expiry.</source>
        <extracomment>%1 is &quot;Token for ...&quot;</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: expired %2 (at %3).</source>
        <extracomment>%1 is &quot;Token for ...&quot;, %2 how long ago (&quot;5 min ago&quot;), %3 the local time</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: expires %2 (at %3).</source>
        <extracomment>%1 is &quot;Token for ...&quot;, %2 how long from now (&quot;in 5 min&quot;), %3 the local time</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Claims requested: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open this inspector from an account&apos;s &quot;Inspect token&quot; to request a new token.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>azid::ui::TrayIcon</name>
    <message numerus="yes">
        <source>Azid — %n account(s)</source>
        <translation>
            <numerusform>Azid — %n account</numerusform>
            <numerusform>Azid — %n accounts</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 (%2, %3)</source>
        <extracomment>A tray menu entry: %1 is the user, %2 the tenant, %3 the cloud or authority</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel fetching token for %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop getting the %1 token for %2: nothing is copied.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy a token for %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Other scope…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign in again (needed)…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign in again…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loading accounts…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No accounts yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy format</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add account…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Accounts…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Settings…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Azid — getting a token for %1… (Cancel in this menu)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Azid — getting a token…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Azid — sign-in needed: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Azid — %1</source>
        <extracomment>%1 is why the accounts could not be read</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Azid — no accounts yet: Add account… in this menu</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>Azid: sign in to Microsoft Entra ID accounts and copy access tokens from the tray.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep accounts, tokens and settings apart (default: $AZID_PROFILE or &quot;default&quot;).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>NAME</source>
        <extracomment>The value of --profile in --help</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show the accounts window (of the running Azid, if any).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Log what happens.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a valid profile name: use letters, digits, &apos;.&apos;, &apos;_&apos; and &apos;-&apos;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the running Azid did not answer: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
