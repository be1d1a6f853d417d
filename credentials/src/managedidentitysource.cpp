#include "managedidentitysource.h"

#include "azid/workloadidentitycredential.h"
#include "chainrunner.h"
#include "logging.h"
#include "oauth.h"

#include <QJsonDocument>
#include <QUrlQuery>

namespace azid::detail {
namespace {

constexpr std::chrono::milliseconds kImdsConnectTimeout{2000};
constexpr std::chrono::milliseconds kProbeTimeout{1000};
const QByteArray MetadataHeader = QByteArrayLiteral("Metadata");

QString variable(const EnvironmentReader &environment, const char *name)
{
    return environment.value(QString::fromLatin1(name));
}

QUrl withQuery(QUrl url, const QueryParameters &parameters)
{
    QUrlQuery query(url);
    for (const auto &[name, value] : parameters)
        query.addQueryItem(name, QString::fromUtf8(QUrl::toPercentEncoding(value)));
    url.setQuery(query);
    return url;
}

// api-version, resource and the identity: the query of every source but Cloud Shell and Service Fabric.
QUrl tokenUrl(const QUrl &endpoint, const char *apiVersion, const QString &resource,
              const QueryParameters &identity)
{
    return withQuery(endpoint,
                     QueryParameters{{QStringLiteral("api-version"), QString::fromLatin1(apiVersion)},
                                     {QStringLiteral("resource"), resource}} +
                         identity);
}

AuthError unavailable(const QString &message, const HttpResponse &response)
{
    return withHttpResponse(AuthError::unavailable(message), response);
}

AuthError failed(const QString &message, const HttpResponse &response)
{
    return withHttpResponse(AuthError::authentication(message), response);
}

// An endpoint's answer, read once: the JSON body, the token in it and the error it describes.
struct Answer
{
    Answer(const HttpResponse &response, qint64 now)
    {
        const QJsonDocument doc = QJsonDocument::fromJson(response.body, &parseError);
        body = doc.object();
        json = doc.isObject();
        if (response.isSuccess() && json)
            token = tokenFromJson(body, now);
        if (json) {
            ManagedIdentityErrorText described = describeManagedIdentityError(body, response.status);
            detail = std::move(described.text);
            oauthError = std::move(described.oauthError);
        } else {
            detail = QStringLiteral("(HTTP %1) the answer is not JSON").arg(response.status);
        }
    }
    // The error with the endpoint's OAuth error code.
    AuthError coded(AuthError error) const
    {
        error.oauthError = oauthError;
        return error;
    }

    QJsonParseError parseError{};
    QJsonObject body;
    bool json = false;
    std::optional<AccessTokenInfo> token;
    QString detail;
    QString oauthError;
};

// App Service, Azure ML and Service Fabric read their answers alike.
Result<AccessTokenInfo> interpretPlatformAnswer(const QString &name, const HttpResponse &response, qint64 now)
{
    const QString prefix =
        QStringLiteral("%1 managed identity configuration not found in environment.").arg(name);
    if (response.status == 0)
        return unavailable(
            prefix + QStringLiteral(" The endpoint did not answer: ") + response.transportError, response);
    const Answer answer(response, now);
    if (!answer.json) {
        // azure.identity lets the JSON decoder's error escape here, which stops a chain.
        return failed(QStringLiteral("The %1 managed identity endpoint answered HTTP %2 with a body that is "
                                     "not JSON (%3).")
                          .arg(name)
                          .arg(response.status)
                          .arg(answer.parseError.errorString()),
                      response);
    }
    if (answer.token)
        return *answer.token;
    return answer.coded(
        unavailable(prefix + QStringLiteral(" Token request error: ") + answer.detail, response));
}

// The parameter naming a user-assigned identity, by the names a source uses for each kind of id.
QueryParameters identityParameter(const ManagedIdentityId &identity, const char *clientId,
                                  const char *objectId, const char *resourceId)
{
    using Kind = ManagedIdentityId::Kind;
    if (!identity.isUserAssigned())
        return {};
    const char *name = identity.kind == Kind::ClientId   ? clientId
                       : identity.kind == Kind::ObjectId ? objectId
                                                         : resourceId;
    return {{QString::fromLatin1(name), identity.value}};
}

} // namespace

QString managedIdentityKindName(ManagedIdentityKind kind)
{
    switch (kind) {
    case ManagedIdentityKind::None:
        return {};
    case ManagedIdentityKind::ServiceFabric:
        return QStringLiteral("Service Fabric");
    case ManagedIdentityKind::AppService:
        return QStringLiteral("App Service");
    case ManagedIdentityKind::AzureArc:
        return QStringLiteral("Azure Arc");
    case ManagedIdentityKind::AzureMl:
        return QStringLiteral("Azure ML");
    case ManagedIdentityKind::CloudShell:
        return QStringLiteral("Cloud Shell");
    case ManagedIdentityKind::WorkloadIdentity:
        return QStringLiteral("Workload identity");
    case ManagedIdentityKind::Imds:
        return QStringLiteral("IMDS");
    }
    return {};
}

std::unique_ptr<ManagedIdentitySource>
selectManagedIdentitySource(const EnvironmentReader &environment, const ManagedIdentitySourceOptions &options)
{
    using Create = std::unique_ptr<ManagedIdentitySource> (*)(const EnvironmentReader &,
                                                              const ManagedIdentitySourceOptions &);
    // Where the variables of several are set, the earlier wins: IDENTITY_SERVER_THUMBPRINT makes
    // IDENTITY_HEADER Service Fabric's, IDENTITY_HEADER wins over IMDS_ENDPOINT, IDENTITY_ENDPOINT
    // hides MSI_ENDPOINT (even alone), MSI_SECRET makes it Azure ML's, and all of them hide the
    // workload identity variables. IMDS takes what is left.
    static constexpr Create sources[] = {
        &ServiceFabricSource::create,    &AppServiceSource::create, &AzureArcSource::create,
        &UnknownSource::create,          &AzureMlSource::create,    &CloudShellSource::create,
        &WorkloadIdentitySource::create, &ImdsSource::create,
    };
    for (const Create create : sources) {
        if (auto source = create(environment, options))
            return source;
    }
    Q_UNREACHABLE();
    return nullptr;
}

// ---- ManagedIdentitySource

ManagedIdentitySource::ManagedIdentitySource(const ManagedIdentitySourceOptions &options, QUrl endpoint)
    : m_options(options), m_endpoint(std::move(endpoint))
{}

ManagedIdentitySource::~ManagedIdentitySource() = default;

std::optional<AuthError> ManagedIdentitySource::validateScopes(const QStringList &scopes) const
{
    const auto resource = resourceFromScopes(scopes);
    if (!resource.ok())
        return resource.error();
    return std::nullopt;
}

Result<QueryParameters> ManagedIdentitySource::identityParameters(const ManagedIdentityId &) const
{
    return QueryParameters{};
}

Result<AccessTokenInfo> ManagedIdentitySource::interpret(const HttpResponse &response,
                                                         const ManagedIdentityId &, qint64) const
{
    return failed(QStringLiteral("No managed identity endpoint found."), response);
}

QFuture<TokenResult> ManagedIdentitySource::requestToken(const ManagedIdentityTokenRequest &request)
{
    const auto resource = resourceFromScopes(request.scopes);
    if (!resource.ok())
        return ready(TokenResult(resource.error()));
    const auto identity = identityParameters(m_options.identity);
    if (!identity.ok())
        return ready(TokenResult(identity.error()));
    if (!m_endpoint.isValid() || m_endpoint.host().isEmpty()) {
        return ready(TokenResult(AuthError::unavailable(
            QStringLiteral(
                "ManagedIdentityCredential authentication unavailable: the %1 endpoint \"%2\" from the "
                "environment is not a URL.")
                .arg(name(), m_endpoint.toString()))));
    }
    return fetch(resource.value(), identity.value(), request);
}

QFuture<TokenResult> ManagedIdentitySource::send(const HttpRequest &http,
                                                 const ManagedIdentityRetryPolicy &policy,
                                                 const ManagedIdentityTransport &transport)
{
    return m_options.transport->send(http, policy, transport)
        .then(QtFuture::Launch::Sync, guarded(m_options.owner, [this](const ManagedIdentityReply &reply) {
                  return TokenResult(interpret(reply.http, m_options.identity, now()));
              }));
}

ManagedIdentityRetryPolicy ManagedIdentitySource::standardRetries() const
{
    return ManagedIdentityRetryPolicy::standard(m_options.http.maxRetries, m_options.http.retryBaseDelay,
                                                m_options.http.maxRetryDelay);
}

ManagedIdentityTransport ManagedIdentitySource::standardTransport() const
{
    ManagedIdentityTransport standard;
    standard.transferTimeout = m_options.http.transferTimeout;
    return standard;
}

qint64 ManagedIdentitySource::now() const
{
    return (m_options.clock ? *m_options.clock : Clock::system()).now();
}

// ---- IDENTITY_ENDPOINT alone

std::unique_ptr<ManagedIdentitySource> UnknownSource::create(const EnvironmentReader &environment,
                                                             const ManagedIdentitySourceOptions &options)
{
    const QString endpoint = variable(environment, "IDENTITY_ENDPOINT");
    if (endpoint.isEmpty())
        return nullptr;
    return std::unique_ptr<ManagedIdentitySource>(new UnknownSource(options, QUrl(endpoint)));
}

QFuture<TokenResult> UnknownSource::requestToken(const ManagedIdentityTokenRequest &request)
{
    return fetch({}, {}, request);
}

QFuture<TokenResult> UnknownSource::fetch(const QString &, const QueryParameters &,
                                          const ManagedIdentityTokenRequest &)
{
    return ready(TokenResult(AuthError::unavailable(QStringLiteral(
        "ManagedIdentityCredential authentication unavailable. No managed identity endpoint found. The "
        "Target "
        "Azure platform could not be determined from environment variables: IDENTITY_ENDPOINT is set, but "
        "neither IDENTITY_HEADER (App Service, Service Fabric) nor IMDS_ENDPOINT (Azure Arc) is. Visit "
        "https://aka.ms/azsdk/python/identity/managedidentitycredential/troubleshoot to troubleshoot this "
        "issue."))));
}

// ---- Service Fabric

ServiceFabricSource::ServiceFabricSource(const ManagedIdentitySourceOptions &options, QUrl endpoint,
                                         Secret secret, QString thumbprint)
    : ManagedIdentitySource(options, std::move(endpoint)), m_secret(std::move(secret)),
      m_thumbprint(std::move(thumbprint))
{}

std::unique_ptr<ManagedIdentitySource>
ServiceFabricSource::create(const EnvironmentReader &environment, const ManagedIdentitySourceOptions &options)
{
    const QString endpoint = variable(environment, "IDENTITY_ENDPOINT");
    const QString header = variable(environment, "IDENTITY_HEADER");
    const QString thumbprint = variable(environment, "IDENTITY_SERVER_THUMBPRINT");
    if (endpoint.isEmpty() || header.isEmpty() || thumbprint.isEmpty())
        return nullptr;
    return std::unique_ptr<ManagedIdentitySource>(
        new ServiceFabricSource(options, QUrl(endpoint), Secret::fromString(header), thumbprint));
}

Result<QueryParameters> ServiceFabricSource::identityParameters(const ManagedIdentityId &identity) const
{
    if (!identity.isUserAssigned())
        return QueryParameters{};
    return AuthError::authentication(QStringLiteral(
        "Specifying a client_id or identity_config is not supported by the Service Fabric managed "
        "identity environment. The managed identity configuration is determined by the Service Fabric "
        "cluster resource configuration. See https://aka.ms/servicefabricmi for more information."));
}

Result<AccessTokenInfo> ServiceFabricSource::interpret(const HttpResponse &response,
                                                       const ManagedIdentityId &, qint64 now) const
{
    return interpretPlatformAnswer(name(), response, now);
}

QFuture<TokenResult> ServiceFabricSource::fetch(const QString &resource, const QueryParameters &,
                                                const ManagedIdentityTokenRequest &request)
{
    if (endpoint().scheme() != QStringLiteral("https")) {
        return ready(TokenResult(AuthError::authentication(
            QStringLiteral("Service Fabric's IDENTITY_ENDPOINT must be an https URL (it is %1): its secret "
                           "header is never sent in the clear.")
                .arg(endpoint().toString()))));
    }
    const std::optional<QByteArray> pin = normalizeThumbprint(m_thumbprint);
    if (!pin) {
        return ready(TokenResult(AuthError::authentication(
            QStringLiteral("IDENTITY_SERVER_THUMBPRINT (\"%1\") is not a SHA-1 certificate thumbprint of 40 "
                           "hexadecimal digits.")
                .arg(m_thumbprint))));
    }
    QueryParameters query{{QStringLiteral("api-version"), QStringLiteral("2019-07-01-preview")},
                          {QStringLiteral("resource"), resource}};
    // A claims challenge means the cached token was revoked: say which one to replace.
    if (!request.claims.isEmpty() && request.cachedToken) {
        if (const std::optional<Secret> cached = request.cachedToken())
            query.append({QStringLiteral("token_sha256_to_refresh"), sha256Hex(cached->revealString())});
    }
    HttpRequest http;
    http.url = withQuery(endpoint(), query);
    http.headers = {{"Secret", m_secret.reveal()}};
    ManagedIdentityTransport transport = standardTransport();
    transport.pinnedSha1 = *pin;
    return options()
        .transport->send(http, standardRetries(), transport)
        .then(QtFuture::Launch::Sync, guarded(options().owner, [this](const ManagedIdentityReply &reply) {
                  if (reply.certificateRejected) {
                      AuthError error = AuthError::authentication(QStringLiteral(
                          "The Service Fabric managed identity endpoint's TLS certificate does not have the "
                          "thumbprint in IDENTITY_SERVER_THUMBPRINT; the connection was refused before "
                          "anything was sent."));
                      error.correlationId = reply.http.clientRequestId;
                      return TokenResult(error);
                  }
                  return TokenResult(interpret(reply.http, options().identity, now()));
              }));
}

// ---- App Service

AppServiceSource::AppServiceSource(const ManagedIdentitySourceOptions &options, QUrl endpoint, Secret secret)
    : ManagedIdentitySource(options, std::move(endpoint)), m_secret(std::move(secret))
{}

std::unique_ptr<ManagedIdentitySource> AppServiceSource::create(const EnvironmentReader &environment,
                                                                const ManagedIdentitySourceOptions &options)
{
    const QString endpoint = variable(environment, "IDENTITY_ENDPOINT");
    const QString header = variable(environment, "IDENTITY_HEADER");
    if (endpoint.isEmpty() || header.isEmpty())
        return nullptr;
    return std::unique_ptr<ManagedIdentitySource>(
        new AppServiceSource(options, QUrl(endpoint), Secret::fromString(header)));
}

Result<QueryParameters> AppServiceSource::identityParameters(const ManagedIdentityId &identity) const
{
    return identityParameter(identity, "client_id", "object_id", "mi_res_id");
}

Result<AccessTokenInfo> AppServiceSource::interpret(const HttpResponse &response, const ManagedIdentityId &,
                                                    qint64 now) const
{
    return interpretPlatformAnswer(name(), response, now);
}

QFuture<TokenResult> AppServiceSource::fetch(const QString &resource, const QueryParameters &identity,
                                             const ManagedIdentityTokenRequest &)
{
    HttpRequest http;
    http.url = tokenUrl(endpoint(), "2019-08-01", resource, identity);
    http.headers = {{"X-IDENTITY-HEADER", m_secret.reveal()}, {MetadataHeader, "true"}};
    return send(http, standardRetries(), standardTransport());
}

// ---- Azure Arc

std::unique_ptr<ManagedIdentitySource> AzureArcSource::create(const EnvironmentReader &environment,
                                                              const ManagedIdentitySourceOptions &options)
{
    const QString endpoint = variable(environment, "IDENTITY_ENDPOINT");
    if (endpoint.isEmpty() || variable(environment, "IMDS_ENDPOINT").isEmpty())
        return nullptr;
    ManagedIdentitySourceOptions arc = options;
    if (arc.arcKeyDirectory.isEmpty())
        arc.arcKeyDirectory = platformArcKeyDirectory();
    return std::unique_ptr<ManagedIdentitySource>(new AzureArcSource(arc, QUrl(endpoint)));
}

Result<QueryParameters> AzureArcSource::identityParameters(const ManagedIdentityId &identity) const
{
    return identityParameter(identity, "client_id", "object_id", "msi_res_id");
}

Result<AccessTokenInfo> AzureArcSource::interpret(const HttpResponse &response,
                                                  const ManagedIdentityId &identity, qint64 now) const
{
    const QString prefix =
        QStringLiteral("Azure Arc managed identity configuration not found in environment.");
    if (response.status == 0)
        return unavailable(
            prefix + QStringLiteral(" The endpoint did not answer: ") + response.transportError, response);
    const Answer answer(response, now);
    if (answer.token) {
        if (!arcConfirmsIdentity(answer.body, identity)) {
            return failed(
                QStringLiteral("Azure Arc did not confirm the requested user-assigned managed identity "
                               "(%1): its answer does not name it, so the token may belong to "
                               "another identity. Update the Azure Connected Machine agent.")
                    .arg(identity.describe()),
                response);
        }
        return *answer.token;
    }
    if (!answer.json)
        return unavailable(prefix + QStringLiteral(" Token request error: (HTTP %1) the answer is not JSON.")
                                        .arg(response.status),
                           response);
    return answer.coded(
        unavailable(prefix + QStringLiteral(" Token request error: ") + answer.detail, response));
}

QFuture<TokenResult> AzureArcSource::fetch(const QString &resource, const QueryParameters &identity,
                                           const ManagedIdentityTokenRequest &)
{
    // The agent answers the first request with a challenge naming a key file; the file's contents
    // go with the second.
    HttpRequest http;
    http.url = tokenUrl(endpoint(), "2020-06-01", resource, identity);
    http.headers = {{MetadataHeader, "true"}};
    return options()
        .transport->send(http, standardRetries(), standardTransport())
        .then(QtFuture::Launch::Sync,
              guarded(options().owner,
                      [this, http](const ManagedIdentityReply &challenge) {
                          const auto realm = interpretArcChallenge(challenge.http);
                          if (!realm.ok())
                              return ready(TokenResult(realm.error()));
                          const auto key = readArcKeyFile(realm.value(), options().arcKeyDirectory);
                          if (!key.ok())
                              return ready(TokenResult(key.error()));
                          HttpRequest answer = http;
                          answer.headers.append(
                              qMakePair(QByteArray("Authorization"), "Basic " + key.value().reveal()));
                          return send(answer, standardRetries(), standardTransport());
                      }))
        .unwrap();
}

// ---- Azure Machine Learning

AzureMlSource::AzureMlSource(const ManagedIdentitySourceOptions &options, QUrl endpoint, Secret secret)
    : ManagedIdentitySource(options, std::move(endpoint)), m_secret(std::move(secret))
{}

std::unique_ptr<ManagedIdentitySource> AzureMlSource::create(const EnvironmentReader &environment,
                                                             const ManagedIdentitySourceOptions &options)
{
    const QString endpoint = variable(environment, "MSI_ENDPOINT");
    const QString secret = variable(environment, "MSI_SECRET");
    if (endpoint.isEmpty() || secret.isEmpty())
        return nullptr;
    return std::unique_ptr<ManagedIdentitySource>(
        new AzureMlSource(options, QUrl(endpoint), Secret::fromString(secret)));
}

Result<QueryParameters> AzureMlSource::identityParameters(const ManagedIdentityId &identity) const
{
    return identityParameter(identity, "clientid", "object_id", "msi_res_id");
}

Result<AccessTokenInfo> AzureMlSource::interpret(const HttpResponse &response, const ManagedIdentityId &,
                                                 qint64 now) const
{
    return interpretPlatformAnswer(name(), response, now);
}

QFuture<TokenResult> AzureMlSource::fetch(const QString &resource, const QueryParameters &identity,
                                          const ManagedIdentityTokenRequest &)
{
    HttpRequest http;
    http.url = tokenUrl(endpoint(), "2017-09-01", resource, identity);
    http.headers = {{"secret", m_secret.reveal()}, {MetadataHeader, "true"}};
    return send(http, standardRetries(), standardTransport());
}

// ---- Cloud Shell

std::unique_ptr<ManagedIdentitySource> CloudShellSource::create(const EnvironmentReader &environment,
                                                                const ManagedIdentitySourceOptions &options)
{
    const QString endpoint = variable(environment, "MSI_ENDPOINT");
    if (endpoint.isEmpty())
        return nullptr;
    return std::unique_ptr<ManagedIdentitySource>(new CloudShellSource(options, QUrl(endpoint)));
}

std::optional<AuthError> CloudShellSource::configurationError() const
{
    // Inside DefaultAzureCredential azure.identity sends a client id along instead of refusing it.
    if (!options().identity.isUserAssigned() || options().withinDefaultChain)
        return std::nullopt;
    return AuthError::authentication(
        QStringLiteral("Cloud Shell does not support user-assigned identities: leave client_id and "
                       "identity_config unset there (asked for %1).")
            .arg(options().identity.describe()));
}

Result<QueryParameters> CloudShellSource::identityParameters(const ManagedIdentityId &identity) const
{
    if (!identity.isUserAssigned())
        return QueryParameters{};
    if (identity.kind == ManagedIdentityId::Kind::ClientId)
        return identityParameter(identity, "client_id", "", "");
    return AuthError::authentication(
        QStringLiteral("Cloud Shell does not support user-assigned identities; %1 cannot be selected there.")
            .arg(identity.describe()));
}

Result<AccessTokenInfo> CloudShellSource::interpret(const HttpResponse &response, const ManagedIdentityId &,
                                                    qint64 now) const
{
    if (response.status == 0) {
        return unavailable(
            QStringLiteral("ManagedIdentityCredential authentication unavailable, no response from "
                           "the Cloud Shell endpoint. ") +
                response.transportError,
            response);
    }
    if (response.body.trimmed().isEmpty())
        return failed(QStringLiteral("No token received (HTTP %1 with an empty body).").arg(response.status),
                      response);
    const Answer answer(response, now);
    if (!answer.json) {
        const QByteArray type = response.header("content-type");
        if (!type.toLower().contains("json")) {
            return unavailable(QStringLiteral("Unexpected content type \"%1\" from the Cloud Shell endpoint "
                                              "(HTTP %2).")
                                   .arg(QString::fromLatin1(type))
                                   .arg(response.status),
                               response);
        }
        return failed(QStringLiteral("Failed to deserialize JSON from response (HTTP %1): %2")
                          .arg(response.status)
                          .arg(answer.parseError.errorString()),
                      response);
    }
    if (answer.token)
        return *answer.token;
    // azure.identity prints the body with the token masked; the field names say as much.
    return answer.coded(
        failed(QStringLiteral("Unexpected response from the Cloud Shell endpoint (HTTP %1, fields: "
                              "%2): %3")
                   .arg(response.status)
                   .arg(answer.body.keys().join(QStringLiteral(", ")), answer.detail),
               response));
}

QFuture<TokenResult> CloudShellSource::fetch(const QString &resource, const QueryParameters &identity,
                                             const ManagedIdentityTokenRequest &)
{
    HttpRequest http;
    http.method = "POST";
    http.url = endpoint();
    http.headers = {{MetadataHeader, "true"}, {"Content-Type", "application/x-www-form-urlencoded"}};
    http.body = formEncode(QueryParameters{{QStringLiteral("resource"), resource}} + identity);
    return send(http, standardRetries(), standardTransport());
}

// ---- Workload identity

WorkloadIdentitySource::WorkloadIdentitySource(const ManagedIdentitySourceOptions &options,
                                               const EnvironmentReader &environment)
    : ManagedIdentitySource(options, QUrl()), m_tenantId(variable(environment, "AZURE_TENANT_ID")),
      m_clientId(options.identity.kind == ManagedIdentityId::Kind::ClientId
                     ? options.identity.value
                     : variable(environment, "AZURE_CLIENT_ID")),
      m_tokenFilePath(variable(environment, "AZURE_FEDERATED_TOKEN_FILE")),
      m_authorityHost(variable(environment, "AZURE_AUTHORITY_HOST"))
{
    WorkloadIdentityCredentialOptions workload;
    workload.tenantId = m_tenantId;
    workload.clientId = m_clientId;
    workload.tokenFilePath = m_tokenFilePath;
    workload.authority = m_authorityHost;
    // azure.identity posts the assertion straight to the token endpoint: the host the platform set
    // in AZURE_AUTHORITY_HOST is not validated against Microsoft's instance list.
    workload.disableInstanceDiscovery = true;
    workload.http = options.http;
    workload.clock = options.clock;
    workload.environment = options.environment;
    m_credential = new WorkloadIdentityCredential(workload, options.owner);
}

std::unique_ptr<ManagedIdentitySource>
WorkloadIdentitySource::create(const EnvironmentReader &environment,
                               const ManagedIdentitySourceOptions &options)
{
    if (options.excludeWorkloadIdentity || variable(environment, "AZURE_AUTHORITY_HOST").isEmpty() ||
        variable(environment, "AZURE_TENANT_ID").isEmpty() ||
        variable(environment, "AZURE_FEDERATED_TOKEN_FILE").isEmpty())
        return nullptr;
    return std::unique_ptr<ManagedIdentitySource>(new WorkloadIdentitySource(options, environment));
}

std::optional<AuthError> WorkloadIdentitySource::configurationError() const
{
    if (!m_clientId.isEmpty())
        return std::nullopt;
    return AuthError::authentication(QStringLiteral(
        "ManagedIdentityCredential found workload identity variables but no client id: configure the "
        "environment with a client ID (AZURE_CLIENT_ID) or pass a value for client_id."));
}

std::optional<AuthError> WorkloadIdentitySource::validateScopes(const QStringList &scopes) const
{
    if (scopes.isEmpty())
        return AuthError::authentication(QStringLiteral(
            "At least one scope is required, for example https://management.azure.com/.default."));
    return std::nullopt;
}

QFuture<TokenResult> WorkloadIdentitySource::requestToken(const ManagedIdentityTokenRequest &request)
{
    return fetch({}, {}, request);
}

QFuture<TokenResult> WorkloadIdentitySource::fetch(const QString &, const QueryParameters &,
                                                   const ManagedIdentityTokenRequest &request)
{
    return m_credential->getTokenInfo({request.scopes, request.claims, {}, false});
}

// ---- IMDS

namespace {

// A proxy's 403 for the link-local network (Docker Desktop's): IMDS is not there.
bool imdsUnreachable(const HttpResponse &response)
{
    return response.status == 403 && response.body.contains("unreachable");
}

const QString ImdsUnreachable = QStringLiteral(
    "ManagedIdentityCredential authentication unavailable. The network containing the IMDS endpoint is "
    "unreachable (a proxy answered 403, as Docker Desktop does).");

// What a probe's answer says about IMDS: nothing when it answered at all (400, as it does without
// the Metadata header), a reason to give up otherwise.
std::optional<AuthError> probeProblem(const HttpResponse &response)
{
    if (response.status == 0) {
        return AuthError::unavailable(
                   QStringLiteral("ManagedIdentityCredential authentication unavailable, no "
                                  "response from the IMDS endpoint (%1).")
                       .arg(response.transportError))
            .withReason(response.transportReason);
    }
    if (imdsUnreachable(response))
        return AuthError::unavailable(ImdsUnreachable);
    return std::nullopt;
}

} // namespace

ImdsSource::ImdsSource(const ManagedIdentitySourceOptions &options, QUrl endpoint, bool podIdentityHost)
    : ManagedIdentitySource(options, std::move(endpoint)), m_podIdentityHost(podIdentityHost)
{}

std::unique_ptr<ManagedIdentitySource> ImdsSource::create(const EnvironmentReader &environment,
                                                          const ManagedIdentitySourceOptions &options)
{
    const QString podHost = variable(environment, "AZURE_POD_IDENTITY_AUTHORITY_HOST").trimmed();
    QString base = !options.imdsEndpoint.isEmpty() ? options.imdsEndpoint
                   : !podHost.isEmpty()            ? podHost
                                                   : ImdsDefaultHost;
    while (base.endsWith(QLatin1Char('/')))
        base.chop(1);
    return std::unique_ptr<ManagedIdentitySource>(
        new ImdsSource(options, QUrl(base + ImdsTokenPath), !podHost.isEmpty()));
}

Result<QueryParameters> ImdsSource::identityParameters(const ManagedIdentityId &identity) const
{
    return identityParameter(identity, "client_id", "object_id", "msi_res_id");
}

Result<AccessTokenInfo> ImdsSource::interpret(const HttpResponse &response, const ManagedIdentityId &identity,
                                              qint64 now) const
{
    const QString prefix = QStringLiteral("ManagedIdentityCredential authentication unavailable");
    if (response.status == 0)
        return unavailable(prefix + QStringLiteral(", no response from the IMDS endpoint. ") +
                               response.transportError,
                           response);
    const Answer answer(response, now);
    if (answer.token)
        return *answer.token;
    if (response.isSuccess()) {
        return unavailable(prefix + (answer.json
                                         ? QStringLiteral(". The IMDS endpoint's answer holds no access "
                                                          "token and expiry.")
                                         : QStringLiteral(". The IMDS endpoint's answer is not JSON.")),
                           response);
    }
    if (imdsUnreachable(response))
        return unavailable(ImdsUnreachable, response);
    if (response.status == 400 && answer.json &&
        answer.detail.contains(QLatin1String("identity not found"), Qt::CaseInsensitive)) {
        const QString why =
            identity.isUserAssigned()
                ? QStringLiteral("The requested identity has not been assigned to this resource "
                                 "(%1).")
                      .arg(identity.describe())
                : QStringLiteral("No identity has been assigned to this resource.");
        return answer.coded(unavailable(prefix + QStringLiteral(". ") + why +
                                            QStringLiteral(" Token request error: ") + answer.detail,
                                        response));
    }
    return answer.coded(
        unavailable(prefix + QStringLiteral(". The IMDS endpoint answered HTTP %1. Token request error: %2")
                                 .arg(response.status)
                                 .arg(answer.detail),
                    response));
}

QFuture<TokenResult> ImdsSource::fetch(const QString &resource, const QueryParameters &identity,
                                       const ManagedIdentityTokenRequest &)
{
    HttpRequest http;
    http.url = tokenUrl(endpoint(), "2018-02-01", resource, identity);
    // Unless told otherwise: a probe inside DefaultAzureCredential and inside any chain (this
    // request started from a chain's call), as azure.identity's within_credential_chain. Not where
    // Pod Identity moved IMDS, nor once IMDS has answered.
    const bool probeFirst =
        options().imdsProbe.value_or(options().withinDefaultChain || withinCredentialChain()) &&
        !m_podIdentityHost && !m_available;
    if (!probeFirst)
        return sendWithRetries(http);
    return probe(http)
        .then(QtFuture::Launch::Sync, guarded(options().owner,
                                              [this, http](const std::optional<AuthError> &problem) {
                                                  if (problem)
                                                      return ready(TokenResult(*problem));
                                                  return sendWithRetries(http);
                                              }))
        .unwrap();
}

QFuture<TokenResult> ImdsSource::sendWithRetries(const HttpRequest &http)
{
    HttpRequest real = http;
    real.headers.append(qMakePair(MetadataHeader, QByteArray("true")));
    ManagedIdentityRetryPolicy policy;
    policy.maxRetries = ImdsMaxRetries;
    policy.maxTransportRetries = ImdsMaxTransportRetries;
    policy.retryableStatus = isImdsRetryableStatus;
    policy.delay = [factor = options().http.retryBaseDelay](int retry, int status) {
        return imdsRetryDelay(retry, status, factor);
    };
    ManagedIdentityTransport transport = standardTransport();
    transport.connectTimeout = kImdsConnectTimeout;
    return send(real, policy, transport);
}

QFuture<std::optional<AuthError>> ImdsSource::probe(const HttpRequest &http)
{
    if (!m_probeInFlight) {
        m_probeInFlight = std::make_shared<Broadcast<std::optional<AuthError>>>();
        ManagedIdentityTransport transport;
        transport.connectTimeout = kProbeTimeout;
        transport.transferTimeout = kProbeTimeout;
        // The same request without the Metadata header: IMDS answers 400 at once.
        options()
            .transport->send(http, ManagedIdentityRetryPolicy::none(), transport)
            .then(QtFuture::Launch::Sync, guarded(options().owner, [this, broadcast = m_probeInFlight](
                                                                       const ManagedIdentityReply &reply) {
                      const std::optional<AuthError> problem = probeProblem(reply.http);
                      if (problem)
                          qCInfo(lcCredentials).noquote() << "IMDS probe:" << problem->message;
                      else
                          m_available = true;
                      m_probeInFlight.reset();
                      broadcast->publish(problem);
                  }));
    }
    return m_probeInFlight->subscribe();
}

} // namespace azid::detail
