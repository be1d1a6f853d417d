#pragma once

#include "azid/accesstoken.h"
#include "azid/clock.h"
#include "azid/httpoptions.h"
#include "azid/result.h"
#include "azid/secret.h"
#include "azid/tokencredential.h"
#include "environmentreader.h"
#include "futures.h"
#include "httpclient.h"
#include "managedidentityhttp.h"
#include "managedidentitysources.h"

#include <QFuture>
#include <QList>
#include <QObject>
#include <QPair>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <functional>
#include <memory>
#include <optional>

namespace azid {
class WorkloadIdentityCredential;
}

// One type per hosting environment a ManagedIdentityCredential can find itself in: each knows the
// environment variables that announce it, the request it sends and what the answers mean. The
// credential takes the first of the table (selectManagedIdentitySource) whose variables are set.
namespace azid::detail {

using QueryParameters = QList<QPair<QString, QString>>;

enum class ManagedIdentityKind {
    None, // IDENTITY_ENDPOINT alone: azure.identity finds no endpoint either
    ServiceFabric,
    AppService,
    AzureArc,
    AzureMl,
    CloudShell,
    WorkloadIdentity,
    Imds,
};
// "IMDS", "App Service", ...; empty for None.
QString managedIdentityKindName(ManagedIdentityKind kind);

inline const QString ImdsDefaultHost = QStringLiteral("http://169.254.169.254");
inline const QString ImdsTokenPath = QStringLiteral("/metadata/identity/oauth2/token");

// What a source is made with, besides the environment variables.
struct ManagedIdentitySourceOptions
{
    ManagedIdentityId identity;
    HttpOptions http;
    const Clock *clock = nullptr; // null: the system clock
    // For workload identity's own credential: where it reads AZURE_*.
    std::optional<QProcessEnvironment> environment;
    bool excludeWorkloadIdentity = false;
    bool withinDefaultChain = false;
    std::optional<bool> imdsProbe;
    QString imdsEndpoint;    // a test's IMDS base address (TestSeams); empty: the real one
    QString arcKeyDirectory; // empty: the platform's
    // The credential: continuations stop once it is gone, and it owns the workload credential.
    QObject *owner = nullptr;
    ManagedIdentityHttp *transport = nullptr; // owned by the credential; unused by tests of answers
};

struct ManagedIdentityTokenRequest
{
    QStringList scopes;
    QString claims;
    // The token the cache holds for these scopes, if any (Service Fabric names the token a claims
    // challenge revokes).
    std::function<std::optional<Secret>()> cachedToken;
};

class ManagedIdentitySource
{
public:
    virtual ~ManagedIdentitySource();
    ManagedIdentitySource(const ManagedIdentitySource &) = delete;
    ManagedIdentitySource &operator=(const ManagedIdentitySource &) = delete;

    virtual ManagedIdentityKind kind() const = 0;
    QString name() const { return managedIdentityKindName(kind()); }
    const QUrl &endpoint() const { return m_endpoint; }

    // azure.identity's ValueError when the credential is made with this source.
    virtual std::optional<AuthError> configurationError() const { return std::nullopt; }
    // Exactly one scope, naming a resource (see resourceFromScopes).
    virtual std::optional<AuthError> validateScopes(const QStringList &scopes) const;
    // The query (Cloud Shell: form) parameter naming a user-assigned identity here; none for the
    // system-assigned one; an error where the source cannot select an identity.
    virtual Result<QueryParameters> identityParameters(const ManagedIdentityId &identity) const;
    // What an answer to a token request means (azure.identity's outcome table): a token,
    // CredentialUnavailable or ClientAuthentication. For Azure Arc, the answer to the second request.
    virtual Result<AccessTokenInfo> interpret(const HttpResponse &response, const ManagedIdentityId &identity,
                                              qint64 now) const;
    // Checks the scope, the identity and the endpoint, then fetch().
    virtual QFuture<TokenResult> requestToken(const ManagedIdentityTokenRequest &request);

protected:
    ManagedIdentitySource(const ManagedIdentitySourceOptions &options, QUrl endpoint);

    // The request(s) for a token of `resource`, `identity` being identityParameters()'s answer.
    virtual QFuture<TokenResult> fetch(const QString &resource, const QueryParameters &identity,
                                       const ManagedIdentityTokenRequest &request) = 0;
    // Sends `http` and reads the answer with interpret().
    QFuture<TokenResult> send(const HttpRequest &http, const ManagedIdentityRetryPolicy &policy,
                              const ManagedIdentityTransport &transport);
    ManagedIdentityRetryPolicy standardRetries() const;
    ManagedIdentityTransport standardTransport() const;
    const ManagedIdentitySourceOptions &options() const { return m_options; }
    qint64 now() const;

private:
    ManagedIdentitySourceOptions m_options;
    QUrl m_endpoint;
};

// The sources in the order azure.identity tries them; the first whose variables are set (IMDS,
// the last, always is).
std::unique_ptr<ManagedIdentitySource>
selectManagedIdentitySource(const EnvironmentReader &environment,
                            const ManagedIdentitySourceOptions &options);

// IDENTITY_ENDPOINT without IDENTITY_HEADER or IMDS_ENDPOINT: no source azure.identity knows.
class UnknownSource final : public ManagedIdentitySource
{
public:
    static std::unique_ptr<ManagedIdentitySource> create(const EnvironmentReader &environment,
                                                         const ManagedIdentitySourceOptions &options);
    ManagedIdentityKind kind() const override { return ManagedIdentityKind::None; }
    QFuture<TokenResult> requestToken(const ManagedIdentityTokenRequest &request) override;

protected:
    using ManagedIdentitySource::ManagedIdentitySource;
    QFuture<TokenResult> fetch(const QString &, const QueryParameters &,
                               const ManagedIdentityTokenRequest &request) override;
};

// IDENTITY_ENDPOINT, IDENTITY_HEADER and IDENTITY_SERVER_THUMBPRINT: https with a pinned certificate.
class ServiceFabricSource final : public ManagedIdentitySource
{
public:
    static std::unique_ptr<ManagedIdentitySource> create(const EnvironmentReader &environment,
                                                         const ManagedIdentitySourceOptions &options);
    ManagedIdentityKind kind() const override { return ManagedIdentityKind::ServiceFabric; }
    Result<QueryParameters> identityParameters(const ManagedIdentityId &identity) const override;
    Result<AccessTokenInfo> interpret(const HttpResponse &response, const ManagedIdentityId &identity,
                                      qint64 now) const override;
    const QString &thumbprint() const { return m_thumbprint; }

protected:
    QFuture<TokenResult> fetch(const QString &resource, const QueryParameters &identity,
                               const ManagedIdentityTokenRequest &request) override;

private:
    ServiceFabricSource(const ManagedIdentitySourceOptions &options, QUrl endpoint, Secret secret,
                        QString thumbprint);
    Secret m_secret;
    QString m_thumbprint;
};

// App Service and Azure Functions (API 2019-08-01): IDENTITY_ENDPOINT and IDENTITY_HEADER.
class AppServiceSource final : public ManagedIdentitySource
{
public:
    static std::unique_ptr<ManagedIdentitySource> create(const EnvironmentReader &environment,
                                                         const ManagedIdentitySourceOptions &options);
    ManagedIdentityKind kind() const override { return ManagedIdentityKind::AppService; }
    Result<QueryParameters> identityParameters(const ManagedIdentityId &identity) const override;
    Result<AccessTokenInfo> interpret(const HttpResponse &response, const ManagedIdentityId &identity,
                                      qint64 now) const override;
    const Secret &secret() const { return m_secret; }

protected:
    QFuture<TokenResult> fetch(const QString &resource, const QueryParameters &identity,
                               const ManagedIdentityTokenRequest &request) override;

private:
    AppServiceSource(const ManagedIdentitySourceOptions &options, QUrl endpoint, Secret secret);
    Secret m_secret;
};

// Azure Arc: IDENTITY_ENDPOINT and IMDS_ENDPOINT; a challenge for a key file, then the request.
class AzureArcSource final : public ManagedIdentitySource
{
public:
    static std::unique_ptr<ManagedIdentitySource> create(const EnvironmentReader &environment,
                                                         const ManagedIdentitySourceOptions &options);
    ManagedIdentityKind kind() const override { return ManagedIdentityKind::AzureArc; }
    Result<QueryParameters> identityParameters(const ManagedIdentityId &identity) const override;
    Result<AccessTokenInfo> interpret(const HttpResponse &response, const ManagedIdentityId &identity,
                                      qint64 now) const override;

protected:
    using ManagedIdentitySource::ManagedIdentitySource;
    QFuture<TokenResult> fetch(const QString &resource, const QueryParameters &identity,
                               const ManagedIdentityTokenRequest &request) override;
};

// Azure Machine Learning (API 2017-09-01): MSI_ENDPOINT and MSI_SECRET.
class AzureMlSource final : public ManagedIdentitySource
{
public:
    static std::unique_ptr<ManagedIdentitySource> create(const EnvironmentReader &environment,
                                                         const ManagedIdentitySourceOptions &options);
    ManagedIdentityKind kind() const override { return ManagedIdentityKind::AzureMl; }
    Result<QueryParameters> identityParameters(const ManagedIdentityId &identity) const override;
    Result<AccessTokenInfo> interpret(const HttpResponse &response, const ManagedIdentityId &identity,
                                      qint64 now) const override;

protected:
    QFuture<TokenResult> fetch(const QString &resource, const QueryParameters &identity,
                               const ManagedIdentityTokenRequest &request) override;

private:
    AzureMlSource(const ManagedIdentitySourceOptions &options, QUrl endpoint, Secret secret);
    Secret m_secret;
};

// Cloud Shell: MSI_ENDPOINT without MSI_SECRET; a form POST.
class CloudShellSource final : public ManagedIdentitySource
{
public:
    static std::unique_ptr<ManagedIdentitySource> create(const EnvironmentReader &environment,
                                                         const ManagedIdentitySourceOptions &options);
    ManagedIdentityKind kind() const override { return ManagedIdentityKind::CloudShell; }
    std::optional<AuthError> configurationError() const override;
    Result<QueryParameters> identityParameters(const ManagedIdentityId &identity) const override;
    Result<AccessTokenInfo> interpret(const HttpResponse &response, const ManagedIdentityId &identity,
                                      qint64 now) const override;

protected:
    using ManagedIdentitySource::ManagedIdentitySource;
    QFuture<TokenResult> fetch(const QString &resource, const QueryParameters &identity,
                               const ManagedIdentityTokenRequest &request) override;
};

// Workload identity in Kubernetes: AZURE_AUTHORITY_HOST, AZURE_TENANT_ID and
// AZURE_FEDERATED_TOKEN_FILE, unless excluded. A WorkloadIdentityCredential does the work.
class WorkloadIdentitySource final : public ManagedIdentitySource
{
public:
    static std::unique_ptr<ManagedIdentitySource> create(const EnvironmentReader &environment,
                                                         const ManagedIdentitySourceOptions &options);
    ManagedIdentityKind kind() const override { return ManagedIdentityKind::WorkloadIdentity; }
    std::optional<AuthError> configurationError() const override;
    std::optional<AuthError> validateScopes(const QStringList &scopes) const override;
    QFuture<TokenResult> requestToken(const ManagedIdentityTokenRequest &request) override;
    // What its WorkloadIdentityCredential was made with.
    const QString &tenantId() const { return m_tenantId; }
    const QString &clientId() const { return m_clientId; }
    const QString &tokenFilePath() const { return m_tokenFilePath; }
    const QString &authorityHost() const { return m_authorityHost; }

protected:
    QFuture<TokenResult> fetch(const QString &, const QueryParameters &,
                               const ManagedIdentityTokenRequest &request) override;

private:
    WorkloadIdentitySource(const ManagedIdentitySourceOptions &options, const EnvironmentReader &environment);
    QString m_tenantId;
    QString m_clientId;
    QString m_tokenFilePath;
    QString m_authorityHost;
    WorkloadIdentityCredential *m_credential = nullptr; // a child of the owner
};

// The Instance Metadata Service, where nothing else is announced; AZURE_POD_IDENTITY_AUTHORITY_HOST
// moves it (and turns the probe off).
class ImdsSource final : public ManagedIdentitySource
{
public:
    static std::unique_ptr<ManagedIdentitySource> create(const EnvironmentReader &environment,
                                                         const ManagedIdentitySourceOptions &options);
    ManagedIdentityKind kind() const override { return ManagedIdentityKind::Imds; }
    Result<QueryParameters> identityParameters(const ManagedIdentityId &identity) const override;
    Result<AccessTokenInfo> interpret(const HttpResponse &response, const ManagedIdentityId &identity,
                                      qint64 now) const override;
    bool podIdentityHost() const { return m_podIdentityHost; }

protected:
    QFuture<TokenResult> fetch(const QString &resource, const QueryParameters &identity,
                               const ManagedIdentityTokenRequest &request) override;

private:
    ImdsSource(const ManagedIdentitySourceOptions &options, QUrl endpoint, bool podIdentityHost);
    QFuture<TokenResult> sendWithRetries(const HttpRequest &http);
    QFuture<std::optional<AuthError>> probe(const HttpRequest &http);
    bool m_podIdentityHost = false;
    bool m_available = false; // a probe was answered: no further probes
    std::shared_ptr<Broadcast<std::optional<AuthError>>> m_probeInFlight;
};

} // namespace azid::detail
