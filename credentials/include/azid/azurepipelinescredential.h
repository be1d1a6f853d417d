#pragma once

#include "azid/apptokencredential.h"
#include "azid/confidentialclientoptions.h"
#include "azid/secret.h"

#include <QProcessEnvironment>
#include <QString>

#include <memory>
#include <optional>

namespace azid {

// The inherited authority defaults to AZURE_AUTHORITY_HOST (read from `environment`).
struct AzurePipelinesCredentialOptions : ConfidentialClientOptions
{
    QString tenantId;            // of the service connection; required
    QString clientId;            // of the service connection; required
    QString serviceConnectionId; // the "resourceId" of the service connection; required
    Secret systemAccessToken;    // the pipeline's $(System.AccessToken); required
    // Where SYSTEM_OIDCREQUESTURI (read for every request) and AZURE_AUTHORITY_HOST are read.
    // Empty: the process environment.
    std::optional<QProcessEnvironment> environment;
};

// azure.identity's AzurePipelinesCredential: in an Azure Pipelines job, asks the pipeline's OIDC
// endpoint (SYSTEM_OIDCREQUESTURI) for an ID token of the service connection and exchanges it, as a
// client assertion, for an Entra token of the connection's app (workload identity federation).
class AzurePipelinesCredential final : public AppTokenCredential
{
    Q_OBJECT
public:
    explicit AzurePipelinesCredential(const AzurePipelinesCredentialOptions &options,
                                      QObject *parent = nullptr);
    ~AzurePipelinesCredential() override;

    QString name() const override { return QStringLiteral("AzurePipelinesCredential"); }

protected:
    QFuture<TokenResult> requestToken(const detail::AppTokenRequest &request) override;
    AppTokenCacheKey cacheKey(const QString &tenant) const override;
    Result<QString> validate(const TokenRequestOptions &options) const override;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace azid
