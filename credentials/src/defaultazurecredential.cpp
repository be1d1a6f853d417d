#include "azid/defaultazurecredential.h"

#include "azid/azureclicredential.h"
#include "azid/azuredeveloperclicredential.h"
#include "azid/azurepowershellcredential.h"
#include "azid/environmentcredential.h"
#include "azid/interactivebrowsercredential.h"
#include "azid/managedidentitycredential.h"
#include "azid/sharedtokencachecredential.h"
#include "azid/visualstudiocodecredential.h"
#include "azid/workloadidentitycredential.h"

#include "defaultchain.h"
#include "environmentreader.h"
#include "futures.h"
#include "logging.h"

#include <QThread>

#include <array>

namespace azid {

namespace {

// The credentials of the chain, in azure.identity's credential_config order.
enum Member {
    Environment,
    WorkloadIdentity,
    ManagedIdentity,
    SharedTokenCache,
    VisualStudioCode,
    Cli,
    DeveloperCli,
    PowerShell,
    InteractiveBrowser,
    MemberCount
};

struct MemberSpec
{
    QLatin1StringView tokenCredentialsName; // AZURE_TOKEN_CREDENTIALS spelling; empty: not selectable
    bool excludedByDefault;
    bool dev;
    bool prod;
};

constexpr std::array<MemberSpec, MemberCount> Specs{{
    {QLatin1StringView("environmentcredential"), false, false, true},
    {QLatin1StringView("workloadidentitycredential"), false, false, true},
    {QLatin1StringView("managedidentitycredential"), false, false, true},
    {QLatin1StringView(), false, true, false},
    {QLatin1StringView("visualstudiocodecredential"), false, true, false},
    {QLatin1StringView("azureclicredential"), false, true, false},
    {QLatin1StringView("azuredeveloperclicredential"), false, true, false},
    {QLatin1StringView("azurepowershellcredential"), false, true, false},
    {QLatin1StringView("interactivebrowsercredential"), true, false, false},
}};

struct Selection
{
    std::array<bool, MemberCount> excluded{};
    bool managedIdentityAlone = false; // AZURE_TOKEN_CREDENTIALS=ManagedIdentityCredential
    std::optional<AuthError> error;
};

// azure.identity's process_credential_exclusions: AZURE_TOKEN_CREDENTIALS first, then the
// exclude_* keywords that were passed, which win.
Selection select(const DefaultAzureCredentialOptions &options, const detail::EnvironmentReader &environment)
{
    Selection selection;
    for (int i = 0; i < MemberCount; ++i)
        selection.excluded[i] = Specs[i].excludedByDefault;

    const QString value = environment.value(QStringLiteral("AZURE_TOKEN_CREDENTIALS")).trimmed().toLower();
    if (value.isEmpty() && options.requireEnvironmentVariable) {
        selection.error = AuthError::authentication(QStringLiteral(
            "AZURE_TOKEN_CREDENTIALS environment variable is required but is not set or is empty. Set it to "
            "'dev', 'prod', or a specific credential name."));
        return selection;
    }
    if (value == QStringLiteral("dev") || value == QStringLiteral("prod")) {
        const bool dev = value == QStringLiteral("dev");
        for (int i = 0; i < MemberCount; ++i)
            selection.excluded[i] = !(dev ? Specs[i].dev : Specs[i].prod);
    } else if (!value.isEmpty()) {
        int selected = -1;
        QStringList valid;
        for (int i = 0; i < MemberCount; ++i) {
            if (Specs[i].tokenCredentialsName.isEmpty())
                continue;
            valid << QString(Specs[i].tokenCredentialsName);
            if (value == Specs[i].tokenCredentialsName)
                selected = i;
        }
        if (selected < 0) {
            valid.sort();
            selection.error = AuthError::authentication(
                QStringLiteral("Invalid value for AZURE_TOKEN_CREDENTIALS: %1. Valid values are: %2.")
                    .arg(value, (QStringList{QStringLiteral("dev"), QStringLiteral("prod")} + valid)
                                    .join(QStringLiteral(", "))));
            return selection;
        }
        for (int i = 0; i < MemberCount; ++i)
            selection.excluded[i] = i != selected;
        selection.managedIdentityAlone = selected == ManagedIdentity;
    }

    const std::array<std::optional<bool>, MemberCount> keywords{
        options.excludeEnvironmentCredential,       options.excludeWorkloadIdentityCredential,
        options.excludeManagedIdentityCredential,   options.excludeSharedTokenCacheCredential,
        options.excludeVisualStudioCodeCredential,  options.excludeCliCredential,
        options.excludeDeveloperCliCredential,      options.excludePowerShellCredential,
        options.excludeInteractiveBrowserCredential};
    for (int i = 0; i < MemberCount; ++i) {
        if (keywords[i])
            selection.excluded[i] = *keywords[i];
    }
    return selection;
}

// Credentials made here are QObjects whose last reference may go while one of their own requests
// finishes: they are deleted from the event loop, not from inside their own code.
template <typename T, typename... Args> std::shared_ptr<T> makeCredential(Args &&...args)
{
    return std::shared_ptr<T>(new T(std::forward<Args>(args)...), [](T *credential) {
        if (credential->thread()->eventDispatcher())
            credential->deleteLater();
        else
            delete credential;
    });
}

// A member of the chain: the credential T made with `args`.
template <typename T, typename... Args> detail::DefaultChainMember chainMember(Args &&...args)
{
    detail::DefaultChainMember member;
    member.credential = makeCredential<T>(std::forward<Args>(args)...);
    return member;
}

// What the chain passes on to each credential that talks to an authority (environment, workload
// identity, shared token cache, interactive browser): additionallyAllowedTenants to those that take it.
template <typename Options> Options authorityClientOptions(const DefaultAzureCredentialOptions &chain)
{
    Options o;
    if constexpr (requires { o.additionallyAllowedTenants; })
        o.additionallyAllowedTenants = chain.additionallyAllowedTenants;
    o.disableInstanceDiscovery = chain.disableInstanceDiscovery;
    o.http = chain.http;
    o.clock = chain.clock;
    return o;
}

template <typename T, typename Options> detail::DefaultChainMember developerTool(Options options)
{
    options.withinDefaultChain = true;
    detail::DefaultChainMember member = chainMember<T>(options);
    options.withinDefaultChain = false;
    member.standalone = [options]() -> std::shared_ptr<TokenCredential> {
        return makeCredential<T>(options);
    };
    return member;
}

} // namespace

struct DefaultAzureCredential::Private
{
    std::optional<AuthError> configurationError;
    detail::DefaultChain *chain = nullptr;
};

DefaultAzureCredential::DefaultAzureCredential(const DefaultAzureCredentialOptions &options, QObject *parent)
    : QObject(parent), d(std::make_unique<Private>())
{
    const detail::EnvironmentReader environment(options.environment);
    auto variable = [&environment](const char *name) { return environment.value(QString::fromLatin1(name)); };

    const Selection selection = select(options, environment);
    QList<detail::DefaultChainMember> members;
    if (selection.error) {
        d->configurationError = selection.error->asConfigurationError();
        d->chain = new detail::DefaultChain(members, name(), this);
        return;
    }
    const auto &excluded = selection.excluded;

    const QString authority =
        options.authority.isEmpty() ? variable("AZURE_AUTHORITY_HOST") : options.authority;
    const QString managedIdentityClientId =
        options.managedIdentityClientId.value_or(variable("AZURE_CLIENT_ID"));
    const QString tenantVariable = variable("AZURE_TENANT_ID");

    if (!excluded[Environment]) {
        auto o = authorityClientOptions<EnvironmentCredentialOptions>(options);
        o.environment = options.environment;
        o.authority = authority;
        members.append(chainMember<EnvironmentCredential>(o));
    }
    if (!excluded[WorkloadIdentity]) {
        auto o = authorityClientOptions<WorkloadIdentityCredentialOptions>(options);
        o.environment = options.environment;
        o.authority = authority;
        o.clientId = options.workloadIdentityClientId.value_or(managedIdentityClientId);
        o.tenantId = options.workloadIdentityTenantId.value_or(tenantVariable);
        detail::DefaultChainMember member = chainMember<WorkloadIdentityCredential>(o);
        member.name = QStringLiteral("WorkloadIdentityCredential");
        // azure.identity's FailedDACCredential: an incomplete configuration (its ValueError) is
        // reported as unavailability, so the chain goes on.
        const bool incomplete = (o.clientId.isEmpty() && variable("AZURE_CLIENT_ID").isEmpty()) ||
                                (o.tenantId.isEmpty() && tenantVariable.isEmpty()) ||
                                variable("AZURE_FEDERATED_TOKEN_FILE").isEmpty();
        member.failuresUnavailable = incomplete;
        members.append(member);
    }
    if (!excluded[ManagedIdentity]) {
        ManagedIdentityCredentialOptions o;
        o.clientId = managedIdentityClientId;
        o.withinDefaultChain = true;
        // The probe protects developer machines from IMDS's retries; asked for alone, managed
        // identity gets the whole retry schedule, as in azure.identity.
        if (selection.managedIdentityAlone)
            o.imdsProbe = false;
        o.excludeWorkloadIdentity = excluded[WorkloadIdentity];
        o.http = options.http;
        o.clock = options.clock;
        o.environment = options.environment;
        members.append(chainMember<ManagedIdentityCredential>(o));
    }
    if (!excluded[SharedTokenCache] && SharedTokenCacheCredential::supported()) {
        auto o = authorityClientOptions<SharedTokenCacheCredentialOptions>(options);
        o.authority = authority;
        o.tenantId = options.sharedCacheTenantId.value_or(tenantVariable);
        o.cache = options.sharedCache;
        o.caeCache = options.sharedCaeCache;
        o.reloadCache = options.reloadSharedCache;
        o.saveCache = options.saveSharedCache;
        detail::DefaultChainMember member = chainMember<SharedTokenCacheCredential>(
            options.sharedCacheUsername.value_or(variable("AZURE_USERNAME")), o);
        // Its refresh failures are unavailability inside the chain (azure.identity 1.25.0), its own
        // errors afterwards.
        member.failuresUnavailable = true;
        members.append(member);
    }
    if (!excluded[VisualStudioCode]) {
        VisualStudioCodeCredentialOptions o;
        o.tenantId = options.visualStudioCodeTenantId;
        members.append(chainMember<VisualStudioCodeCredential>(o));
    }
    auto tool = [&options](DeveloperToolOptions &o) {
        o.processTimeout = options.processTimeout;
        o.processRunner = options.processRunner;
        o.environment = options.environment;
    };
    if (!excluded[Cli]) {
        AzureCliCredentialOptions o;
        tool(o);
        members.append(developerTool<AzureCliCredential>(o));
    }
    if (!excluded[PowerShell]) {
        AzurePowerShellCredentialOptions o;
        tool(o);
        members.append(developerTool<AzurePowerShellCredential>(o));
    }
    if (!excluded[DeveloperCli]) {
        AzureDeveloperCliCredentialOptions o;
        tool(o);
        members.append(developerTool<AzureDeveloperCliCredential>(o));
    }
    if (!excluded[InteractiveBrowser]) {
        auto o = authorityClientOptions<InteractiveBrowserCredentialOptions>(options);
        o.authority = authority;
        o.tenantId = options.interactiveBrowserTenantId.value_or(tenantVariable);
        o.clientId = options.interactiveBrowserClientId;
        o.openBrowser = options.openBrowser;
        members.append(chainMember<InteractiveBrowserCredential>(o));
    }

    if (members.isEmpty()) // azure.identity: ChainedTokenCredential's ValueError
        d->configurationError =
            AuthError::configuration(QStringLiteral("at least one credential is required"));
    // azure.identity raises the ValueError of a member's constructor from its own.
    for (const detail::DefaultChainMember &member : std::as_const(members)) {
        if (d->configurationError)
            break;
        if (member.failuresUnavailable)
            continue;
        if (auto error = member.credential->configurationError()) {
            error->message =
                QStringLiteral("DefaultAzureCredential: %1: %2").arg(member.displayName(), error->message);
            d->configurationError = error;
        }
    }
    QStringList names;
    for (const detail::DefaultChainMember &member : std::as_const(members))
        names << member.displayName();
    qCDebug(lcCredentials).noquote() << "DefaultAzureCredential: chain" << names.join(QStringLiteral(", "));
    d->chain = new detail::DefaultChain(members, name(), this);
}

DefaultAzureCredential::~DefaultAzureCredential() = default;

QFuture<TokenResult> DefaultAzureCredential::getTokenInfo(const TokenRequestOptions &options)
{
    if (d->configurationError)
        return detail::ready(TokenResult(*d->configurationError));
    return d->chain->getTokenInfo(options);
}

QStringList DefaultAzureCredential::credentialNames() const
{
    QStringList names;
    for (const detail::DefaultChainMember &member : d->chain->members())
        names << member.displayName();
    return names;
}

std::shared_ptr<TokenCredential> DefaultAzureCredential::successfulCredential() const
{
    return d->chain->successful();
}

std::optional<AuthError> DefaultAzureCredential::configurationError() const
{
    return d->configurationError;
}

} // namespace azid
