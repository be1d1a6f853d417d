#pragma once

#include "azid/accesstoken.h"
#include "azid/result.h"
#include "azid/secret.h"
#include "environmentreader.h"
#include "httpclient.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QMap>
#include <QPair>
#include <QString>
#include <QUrl>

#include <chrono>
#include <optional>

// The rules the managed identity sources (managedidentitysource.h) share, as pure functions: the
// identity asked for, scopes, expiry formats, IMDS's retry schedule, Azure Arc's key files.
namespace azid::detail {

struct ManagedIdentityId
{
    enum class Kind { SystemAssigned, ClientId, ObjectId, ResourceId };
    Kind kind = Kind::SystemAssigned;
    QString value;

    bool isUserAssigned() const { return kind != Kind::SystemAssigned; }
    // "client_id 0000-...", "system-assigned identity": for messages (ids are not secret).
    QString describe() const;
};
// client_id, or identity_config with one of client_id / object_id / resource_id (mi_res_id and
// msi_res_id taken as resource_id). Anything else is azure.identity's ValueError.
Result<ManagedIdentityId> managedIdentityFromOptions(const QString &clientId,
                                                     const QMap<QString, QString> &identityConfig);
// Exactly one scope; its resource is the scope without a trailing "/.default".
Result<QString> resourceFromScopes(const QStringList &scopes);

// expires_on as the endpoints send it: epoch seconds as a number or a string, Azure ML's legacy
// dates ("MM/DD/YYYY HH:MM:SS +00:00", "M/D/YYYY h:mm:ss AM +00:00") or ISO 8601; clamped to
// [0, limits::MaxEpochSeconds].
std::optional<qint64> parseExpiresOn(const QJsonValue &value);
// azure.identity's refresh_on: the answer's refresh_in, else half the lifetime when it is 2 h or more.
std::optional<qint64> refreshOnFor(qint64 now, qint64 expiresOn, std::optional<qint64> refreshIn);
// access_token plus expires_in (preferred, clamped to limits::MaxTokenLifetime) or expires_on;
// nullopt when either is missing.
std::optional<AccessTokenInfo> tokenFromJson(const QJsonObject &body, qint64 now);

// IMDS retries (azure.identity 1.24+): up to 5, on 404, 408, 410, 429 and 5xx; azure-core's
// back-off factor * 2^(n-1) after an immediate first retry, with factor 2.5/0.8 times larger for
// 410 so that 410 is retried for about 75 s. `retry` counts from 1.
inline constexpr int ImdsMaxRetries = 5;
inline constexpr int ImdsMaxTransportRetries = 3;
bool isImdsRetryableStatus(int status);
std::chrono::milliseconds imdsRetryDelay(int retry, int status, std::chrono::milliseconds backoffFactor);

// Azure Arc. The agent answers the first request with 401 and "WWW-Authenticate: Basic
// realm=<key file>"; the file's contents go back as "Authorization: Basic <contents>".
inline constexpr qint64 ArcKeyFileMaxBytes = 4096;
Result<QString> arcRealmFromChallenge(const QByteArray &wwwAuthenticate);
Result<QString> interpretArcChallenge(const HttpResponse &response);
// /var/opt/azcmagent/tokens on Linux, %ProgramData%\AzureConnectedMachineAgent\Tokens on Windows,
// empty where the agent does not run.
QString platformArcKeyDirectory();
// The key file named by the realm, if it is a .key file of at most 4 KiB directly in the allowed
// directory (not through a link out of it).
Result<Secret> readArcKeyFile(const QString &realm, const QString &allowedDirectory);
bool arcConfirmsIdentity(const QJsonObject &body, const ManagedIdentityId &identity);

// IDENTITY_SERVER_THUMBPRINT without spaces or colons, lower-case: 40 hex digits, else nullopt.
std::optional<QByteArray> normalizeThumbprint(const QString &thumbprint);

struct ManagedIdentityErrorText
{
    QString text;       // "(error) description", or "(HTTP status) description"
    QString oauthError; // the OAuth error, if the answer names one
};
// The error an endpoint's answer describes, from the error shapes the endpoints use: OAuth's (IMDS,
// Arc, Cloud Shell), Service Fabric's {"error": {"code", "message"}} (its code mapped to an OAuth
// error as MSAL does) and App Service's {"message"}.
ManagedIdentityErrorText describeManagedIdentityError(const QJsonObject &body, int status);
// The error with the response's status and request id.
AuthError withHttpResponse(AuthError error, const HttpResponse &response);

} // namespace azid::detail
