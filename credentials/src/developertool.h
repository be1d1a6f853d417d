#pragma once

#include "azid/accesstoken.h"
#include "azid/developertooloptions.h"
#include "azid/errors.h"
#include "azid/result.h"
#include "interactiverequest.h"

#include <QFuture>
#include <QTimeZone>

#include <optional>

namespace azid::detail {

// azure.identity's validate_scope: scopes go on a command line, so only [A-Za-z0-9_.:/-] is allowed.
bool isValidCommandLineScope(const QString &scope);
QString invalidScopeMessage();
// azure.identity's _scopes_to_resource: exactly one scope, its trailing "/.default" dropped; a
// ClientAuthentication error when the scopes do not name exactly one valid resource.
Result<QString> scopesToResource(const QStringList &scopes);
// Removes access tokens ("accessToken"/"token" JSON values and anything shaped like a JWT) from
// tool output before it goes into a message or a log.
QString redactTokens(const QString &text);
// A claims challenge as the tools take it: base64 of its UTF-8 text.
QString encodeClaims(const QString &claims);

// `az account get-access-token --output json`: accessToken, then expires_on (epoch, az >= 2.54) or
// else expiresOn, a wall-clock time of `localZone` ("2026-11-26 14:05:10.000000").
std::optional<AccessTokenInfo> parseAzureCliToken(const QByteArray &output,
                                                  const QTimeZone &localZone = QTimeZone::systemTimeZone());
std::optional<qint64> parseAzureCliExpiresOn(const QString &text,
                                             const QTimeZone &localZone = QTimeZone::systemTimeZone());

// `azd auth token --output json`: {"token": "...", "expiresOn": "2026-11-26T14:05:10Z"}.
std::optional<AccessTokenInfo> parseAzdToken(const QByteArray &output,
                                             const QTimeZone &localZone = QTimeZone::systemTimeZone());
// ISO 8601 with Z or an offset; without either, a wall-clock time of `localZone`.
std::optional<qint64> parseAzdExpiresOn(const QString &text,
                                        const QTimeZone &localZone = QTimeZone::systemTimeZone());
// What azd said went wrong, from its JSON lines (stdout first, then stderr): the first non-empty
// "error" (azd >= 1.23.7), else the first legacy consoleMessage. Empty when there is neither.
QString azdErrorMessage(const QByteArray &standardOutput, const QByteArray &standardError);

// The script run by `pwsh -EncodedCommand`; `resource` and `tenant` must be validated already.
QString powerShellScript(const QString &resource, const QString &tenant);
// base64 of the script's UTF-16LE text, what -EncodedCommand takes.
QString powerShellEncodedCommand(const QString &script);
// The line "azsdk%<token>%<epoch>" that the script prints among whatever else PowerShell writes.
std::optional<AccessTokenInfo> parsePowerShellToken(const QByteArray &output);
inline constexpr char NoAzAccountModuleMarker[] = "NO_AZ_ACCOUNT_MODULE";

// What a token request asks a developer tool for, once it has passed the checks.
struct ToolRequest
{
    QString resource; // the one scope without its "/.default" (ScopeRule::ExactlyOneResource only)
    QString tenant;   // empty: the tool's own default
};

// What the three developer-tool credentials share: options, the checks of a request, tenant rules,
// running the tool and the kind their failures take.
class DeveloperTool
{
public:
    DeveloperTool(const DeveloperToolOptions &options, QString toolName);

    const std::optional<AuthError> &configurationError() const { return m_configurationError; }
    void setConfigurationError(const AuthError &error);
    TenantChoice resolveTenant(const QString &requested) const;
    const QString &tenantId() const { return m_options.tenantId; }

    // az and pwsh take one resource; azd takes scopes, as many as asked for.
    enum class ScopeRule { ExactlyOneResource, OneOrMoreScopes };
    // azure.identity's checks before a tool runs, in its order: the credential's configuration, the
    // scopes (`rule`), the tenant rules. The first that fails is the error.
    Result<ToolRequest> checkRequest(const TokenRequestOptions &options, ScopeRule rule) const;
    // azure.identity's answer to a claims challenge for az and pwsh, which cannot take one: the
    // command that signs in with the claims, and what that command needs (a version of the tool).
    static AuthError claimsChallengeUnsupported(const QString &command, const QString &requirement);

    // Runs `program` with the tool environment plus one variable (the tools' no-colour switches), if
    // `variable` is not empty.
    QFuture<ProcessOutcome> run(const QString &program, const QStringList &arguments, const QString &variable,
                                const QString &value) const;

    // The tool answered with a failure: ClientAuthentication, or unavailable within
    // DefaultAzureCredential.
    AuthError failure(const QString &message) const;
    // " <tool> said: <its error output, tokens redacted, on one line>", or empty when it said nothing.
    QString said(const QByteArray &standardError) const;
    // "exit code N", or "it ended on a signal".
    static QString exitDescription(const ProcessOutcome &outcome);
    // Why a run produced nothing to parse (timeout, crash, start failure), appended to `message`.
    AuthError notRun(const ProcessOutcome &outcome, const QString &message, const QString &advice = {}) const;

private:
    DeveloperToolOptions m_options;
    QString m_toolName;
    QProcessEnvironment m_environment;
    std::optional<AuthError> m_configurationError;
};

} // namespace azid::detail
