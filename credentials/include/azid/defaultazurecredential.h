#pragma once

#include "azid/browseropener.h"
#include "azid/clock.h"
#include "azid/httpoptions.h"
#include "azid/processrunner.h"
#include "azid/result.h"
#include "azid/tokencache.h"
#include "azid/tokencredential.h"

#include <QFuture>
#include <QObject>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>

namespace azid {

// azure.identity's DefaultAzureCredential keyword arguments. An unset std::optional means "not
// passed": the environment variable or AZURE_TOKEN_CREDENTIALS decides, as in azure.identity.
struct DefaultAzureCredentialOptions
{
    // Where AZURE_* (and PATH, for the developer tools) are read, once, at construction. Empty: the
    // process environment. Every credential of the chain reads this one.
    std::optional<QProcessEnvironment> environment;

    // exclude_*_credential. Unset: included, except the interactive browser (excluded), unless
    // AZURE_TOKEN_CREDENTIALS says otherwise; a value set here overrides AZURE_TOKEN_CREDENTIALS.
    std::optional<bool> excludeEnvironmentCredential;
    std::optional<bool> excludeWorkloadIdentityCredential;
    std::optional<bool> excludeManagedIdentityCredential;
    std::optional<bool> excludeSharedTokenCacheCredential;
    std::optional<bool> excludeVisualStudioCodeCredential;
    std::optional<bool> excludeCliCredential;
    std::optional<bool> excludePowerShellCredential;
    std::optional<bool> excludeDeveloperCliCredential;
    std::optional<bool> excludeInteractiveBrowserCredential;
    // require_envvar: AZURE_TOKEN_CREDENTIALS must be set (to dev, prod or a credential name).
    bool requireEnvironmentVariable = false;

    // Authority host or https URL of every member that takes one: EnvironmentCredential,
    // WorkloadIdentityCredential, SharedTokenCacheCredential and InteractiveBrowserCredential.
    // Empty: AZURE_AUTHORITY_HOST (of `environment`), else the public cloud. Managed identity and the
    // developer tools have none.
    QString authority;
    QStringList additionallyAllowedTenants; // "*" allows any tenant
    bool disableInstanceDiscovery = false;

    // managed_identity_client_id. Unset: AZURE_CLIENT_ID; empty: the system-assigned identity.
    std::optional<QString> managedIdentityClientId;
    // workload_identity_client_id. Unset: the managed identity client id (so AZURE_CLIENT_ID).
    std::optional<QString> workloadIdentityClientId;
    std::optional<QString> workloadIdentityTenantId;   // unset: AZURE_TENANT_ID
    std::optional<QString> sharedCacheUsername;        // unset: AZURE_USERNAME
    std::optional<QString> sharedCacheTenantId;        // unset: AZURE_TENANT_ID
    std::optional<QString> interactiveBrowserTenantId; // unset: AZURE_TENANT_ID
    QString interactiveBrowserClientId;                // empty: the developer sign-on app
    QString visualStudioCodeTenantId;

    // process_timeout of AzureCliCredential, AzurePowerShellCredential, AzureDeveloperCliCredential.
    std::chrono::milliseconds processTimeout{10000};
    std::shared_ptr<ProcessRunner> processRunner; // default: ProcessRunner::createDefault()

    // The cache of Microsoft developer tools that SharedTokenCacheCredential reads (the keychain
    // module's SharedTokenCache provides it with its load() and save()). Without one the
    // credential stays in the chain and reports itself unavailable.
    std::shared_ptr<TokenCache> sharedCache;
    std::shared_ptr<TokenCache> sharedCaeCache;
    std::function<QFuture<VoidResult>()> reloadSharedCache;
    // SharedTokenCacheCredential's saveCache: a refreshed token is returned once it has been saved.
    std::function<QFuture<VoidResult>()> saveSharedCache;

    // How InteractiveBrowserCredential opens the sign-in page; empty: the system browser.
    BrowserOpener openBrowser;

    HttpOptions http;             // every credential that talks HTTP
    const Clock *clock = nullptr; // tests move time; default: the system clock
};

// azure.identity's DefaultAzureCredential (1.26): a chain of, in this order,
//   EnvironmentCredential, WorkloadIdentityCredential, ManagedIdentityCredential,
//   SharedTokenCacheCredential, VisualStudioCodeCredential, AzureCliCredential,
//   AzurePowerShellCredential, AzureDeveloperCliCredential, InteractiveBrowserCredential (excluded
//   unless asked for)
// that behaves as ChainedTokenCredential with these differences:
//  - Inside the chain, failures of the developer tools, of the shared token cache and an
//    incompletely configured workload identity count as unavailability, so the chain goes on;
//    managed identity first sends a 1 s probe to IMDS and is unavailable when nothing answers.
//  - The first credential that gives a token is remembered: later requests go straight to it,
//    with its own errors and no fallback.
//  - AZURE_TOKEN_CREDENTIALS (read at construction, trimmed, any case): "dev" keeps the shared
//    cache, VS Code, CLI, PowerShell and azd; "prod" keeps environment, workload and managed
//    identity; a credential name keeps only that one. Any other value, or none with
//    requireEnvironmentVariable, is a configuration error that every request reports (azure.identity
//    raises ValueError from the constructor).
//  - The aggregated error begins "DefaultAzureCredential failed to retrieve a token ...".
class DefaultAzureCredential final : public QObject, public TokenCredential
{
    Q_OBJECT
public:
    explicit DefaultAzureCredential(const DefaultAzureCredentialOptions &options = {},
                                    QObject *parent = nullptr);
    ~DefaultAzureCredential() override;

    QFuture<TokenResult> getTokenInfo(const TokenRequestOptions &options) override;
    QString name() const override { return QStringLiteral("DefaultAzureCredential"); }

    // The names of the credentials in the chain, in order (empty with a configuration error).
    QStringList credentialNames() const;
    // The credential that gave a token and that every later request goes to, or null.
    std::shared_ptr<TokenCredential> successfulCredential() const;
    // azure.identity's ValueError at construction (invalid AZURE_TOKEN_CREDENTIALS, ...), if any.
    // A member's configuration error (except the members azure.identity lets fail quietly: an
    // incomplete workload identity and the shared token cache) is the chain's.
    std::optional<AuthError> configurationError() const override;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace azid
