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

// The rules of azure.identity's managed identity sources, as pure functions: which hosting
// environment the variables name, how each names a user-assigned identity, what its answers mean.
namespace azid::detail {

enum class ManagedIdentitySource {
    None, // IDENTITY_ENDPOINT alone: azure.identity finds no endpoint either
    ServiceFabric,
    AppService,
    AzureArc,
    AzureMl,
    CloudShell,
    WorkloadIdentity,
    Imds,
};
QString managedIdentitySourceName(ManagedIdentitySource source);

inline const QString ImdsDefaultHost = QStringLiteral("http://169.254.169.254");
inline const QString ImdsTokenPath = QStringLiteral("/metadata/identity/oauth2/token");

// What the environment says, read once when a ManagedIdentityCredential is made.
struct ManagedIdentityEnvironment
{
    ManagedIdentitySource source = ManagedIdentitySource::None;
    QUrl endpoint;                       // where tokens are asked for
    Secret secret;                       // IDENTITY_HEADER (App Service, Service Fabric) or MSI_SECRET
    QString thumbprint;                  // IDENTITY_SERVER_THUMBPRINT, as given
    bool imdsEndpointOverridden = false; // AZURE_POD_IDENTITY_AUTHORITY_HOST: no probe
    // Workload identity (AZURE_AUTHORITY_HOST + AZURE_TENANT_ID + AZURE_FEDERATED_TOKEN_FILE):
    QString tenantId;
    QString clientId; // AZURE_CLIENT_ID
    QString tokenFilePath;
    QString authorityHost;
};
ManagedIdentityEnvironment detectManagedIdentityEnvironment(const EnvironmentReader &environment,
                                                            bool excludeWorkloadIdentity = false);

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
// The query (Cloud Shell: form) parameter naming a user-assigned identity at a source; none for
// the system-assigned one; an error where the source cannot select an identity.
Result<QList<QPair<QString, QString>>> identityParameters(ManagedIdentitySource source,
                                                          const ManagedIdentityId &identity);

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

// What an endpoint's answer to a token request means (azure.identity's outcome table): a token,
// CredentialUnavailable, or ClientAuthentication. For Azure Arc, the answer to the second request.
Result<AccessTokenInfo> interpretManagedIdentityResponse(ManagedIdentitySource source,
                                                         const HttpResponse &response,
                                                         const ManagedIdentityId &identity, qint64 now);

} // namespace azid::detail
