#pragma once

#include "azid/apptokencredential.h"
#include "azid/clock.h"
#include "azid/httpoptions.h"
#include "azid/tokencache.h"

#include <QMap>
#include <QProcessEnvironment>
#include <QString>

#include <memory>
#include <optional>

namespace azid {

struct ManagedIdentityCredentialOptions
{
    // A user-assigned identity by its client id. Empty (and no identityConfig): the system-assigned
    // identity.
    QString clientId;
    // A user-assigned identity by one of "client_id", "object_id" or "resource_id" (the platform
    // spellings "mi_res_id" and "msi_res_id" are taken as resource_id). Not together with clientId.
    QMap<QString, QString> identityConfig;

    // Before the first IMDS request, send one short probe (1 s, no retries) and report the
    // credential unavailable when nothing answers, instead of running IMDS's retry schedule (about
    // 25 s, 75 s for 410). No probe when AZURE_POD_IDENTITY_AUTHORITY_HOST is set.
    // Unset: on inside DefaultAzureCredential and inside any ChainedTokenCredential (for requests the
    // chain makes, as azure.identity's within_credential_chain), off when used alone
    // (DefaultAzureCredential turns it off when AZURE_TOKEN_CREDENTIALS names it alone).
    std::optional<bool> imdsProbe;
    // Set by DefaultAzureCredential: implies imdsProbe (unless set), and lets Cloud Shell take a client id
    // (sent in the form) instead of refusing it, as azure.identity does inside DefaultAzureCredential.
    bool withinDefaultChain = false;
    // Do not use the workload identity variables (AZURE_FEDERATED_TOKEN_FILE, ...): set by
    // DefaultAzureCredential when its workload identity credential is excluded.
    bool excludeWorkloadIdentity = false;

    // Retries and timeouts. Managed identity endpoints are reached directly, never through a proxy.
    // IMDS keeps azure.identity's schedule: up to 5 retries on 404, 410, 429 and 5xx with a back-off
    // factor of http.retryBaseDelay (0.8 s), 2.5 s for 410; connections time out after 2 s.
    HttpOptions http;
    std::shared_ptr<TokenCache> cache;
    const Clock *clock = nullptr;
    // Where IDENTITY_ENDPOINT, MSI_ENDPOINT, ... are read, once, at construction. Empty: the
    // process environment.
    std::optional<QProcessEnvironment> environment;
};

// azure.identity's ManagedIdentityCredential: tokens of the identity Azure assigned to the machine,
// container or app, from whichever endpoint the hosting environment offers (IMDS, App Service and
// Functions, Azure Arc, Cloud Shell, Service Fabric, Azure Machine Learning, or workload identity
// in Kubernetes), chosen from environment variables when the credential is made. One scope per
// request; its resource (the scope without "/.default") is what is asked for.
class ManagedIdentityCredential final : public AppTokenCredential
{
    Q_OBJECT
public:
    explicit ManagedIdentityCredential(const ManagedIdentityCredentialOptions &options = {},
                                       QObject *parent = nullptr);
    ~ManagedIdentityCredential() override;

    QString name() const override { return QStringLiteral("ManagedIdentityCredential"); }
    // The hosting environment in use, for messages: "IMDS", "App Service", "Azure Arc",
    // "Cloud Shell", "Service Fabric", "Azure ML", "Workload identity", or empty when none was found.
    QString hostingEnvironment() const;

protected:
    QFuture<TokenResult> requestToken(const detail::AppTokenRequest &request) override;
    AppTokenCacheKey cacheKey(const QString &tenant) const override;
    Result<QString> validate(const TokenRequestOptions &options) const override;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace azid
