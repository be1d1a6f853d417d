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

// What the members are made from: the chain's options and the environment variables that fill
// what the options leave open.
struct ChainContext
{
    const DefaultAzureCredentialOptions &options;
    const detail::EnvironmentReader &environment;
    const Selection &selection;

    QString variable(const char *name) const { return environment.value(QString::fromLatin1(name)); }
    QString authority() const
    {
        return options.authority.isEmpty() ? variable("AZURE_AUTHORITY_HOST") : options.authority;
    }
    QString managedIdentityClientId() const
    {
        return options.managedIdentityClientId.value_or(variable("AZURE_CLIENT_ID"));
    }
    QString tenantVariable() const { return variable("AZURE_TENANT_ID"); }
};

detail::DefaultChainMember environmentMember(const ChainContext &c)
{
    auto o = authorityClientOptions<EnvironmentCredentialOptions>(c.options);
    o.environment = c.options.environment;
    o.authority = c.authority();
    return chainMember<EnvironmentCredential>(o);
}

detail::DefaultChainMember workloadIdentityMember(const ChainContext &c)
{
    const QString tenantVariable = c.tenantVariable();
    auto o = authorityClientOptions<WorkloadIdentityCredentialOptions>(c.options);
    o.environment = c.options.environment;
    o.authority = c.authority();
    o.clientId = c.options.workloadIdentityClientId.value_or(c.managedIdentityClientId());
    o.tenantId = c.options.workloadIdentityTenantId.value_or(tenantVariable);
    detail::DefaultChainMember member = chainMember<WorkloadIdentityCredential>(o);
    member.name = QStringLiteral("WorkloadIdentityCredential");
    // azure.identity's FailedDACCredential: an incomplete configuration (its ValueError) is
    // reported as unavailability, so the chain goes on.
    const bool incomplete = (o.clientId.isEmpty() && c.variable("AZURE_CLIENT_ID").isEmpty()) ||
                            (o.tenantId.isEmpty() && tenantVariable.isEmpty()) ||
                            c.variable("AZURE_FEDERATED_TOKEN_FILE").isEmpty();
    member.failuresUnavailable = incomplete;
    return member;
}

detail::DefaultChainMember managedIdentityMember(const ChainContext &c)
{
    ManagedIdentityCredentialOptions o;
    o.clientId = c.managedIdentityClientId();
    o.withinDefaultChain = true;
    // The probe protects developer machines from IMDS's retries; asked for alone, managed
    // identity gets the whole retry schedule, as in azure.identity.
    if (c.selection.managedIdentityAlone)
        o.imdsProbe = false;
    o.excludeWorkloadIdentity = c.selection.excluded[WorkloadIdentity];
    o.http = c.options.http;
    o.clock = c.options.clock;
    o.environment = c.options.environment;
    return chainMember<ManagedIdentityCredential>(o);
}

detail::DefaultChainMember sharedTokenCacheMember(const ChainContext &c)
{
    auto o = authorityClientOptions<SharedTokenCacheCredentialOptions>(c.options);
    o.authority = c.authority();
    o.tenantId = c.options.sharedCacheTenantId.value_or(c.tenantVariable());
    o.cache = c.options.sharedCache;
    o.caeCache = c.options.sharedCaeCache;
    o.reloadCache = c.options.reloadSharedCache;
    o.saveCache = c.options.saveSharedCache;
    detail::DefaultChainMember member = chainMember<SharedTokenCacheCredential>(
        c.options.sharedCacheUsername.value_or(c.variable("AZURE_USERNAME")), o);
    // Its refresh failures are unavailability inside the chain (azure.identity 1.25.0), its own
    // errors afterwards.
    member.failuresUnavailable = true;
    return member;
}

detail::DefaultChainMember visualStudioCodeMember(const ChainContext &c)
{
    VisualStudioCodeCredentialOptions o;
    o.tenantId = c.options.visualStudioCodeTenantId;
    return chainMember<VisualStudioCodeCredential>(o);
}

template <typename T, typename Options> detail::DefaultChainMember developerToolMember(const ChainContext &c)
{
    Options o;
    o.processTimeout = c.options.processTimeout;
    o.processRunner = c.options.processRunner;
    o.environment = c.options.environment;
    return developerTool<T>(o);
}

detail::DefaultChainMember interactiveBrowserMember(const ChainContext &c)
{
    auto o = authorityClientOptions<InteractiveBrowserCredentialOptions>(c.options);
    o.authority = c.authority();
    o.tenantId = c.options.interactiveBrowserTenantId.value_or(c.tenantVariable());
    o.clientId = c.options.interactiveBrowserClientId;
    o.openBrowser = c.options.openBrowser;
    return chainMember<InteractiveBrowserCredential>(o);
}

// The members the selection leaves, in the order azure.identity tries them.
QList<detail::DefaultChainMember> chainMembers(const ChainContext &c)
{
    const auto &excluded = c.selection.excluded;
    QList<detail::DefaultChainMember> members;
    if (!excluded[Environment])
        members.append(environmentMember(c));
    if (!excluded[WorkloadIdentity])
        members.append(workloadIdentityMember(c));
    if (!excluded[ManagedIdentity])
        members.append(managedIdentityMember(c));
    if (!excluded[SharedTokenCache] && SharedTokenCacheCredential::supported())
        members.append(sharedTokenCacheMember(c));
    if (!excluded[VisualStudioCode])
        members.append(visualStudioCodeMember(c));
    if (!excluded[Cli])
        members.append(developerToolMember<AzureCliCredential, AzureCliCredentialOptions>(c));
    if (!excluded[PowerShell])
        members.append(developerToolMember<AzurePowerShellCredential, AzurePowerShellCredentialOptions>(c));
    if (!excluded[DeveloperCli])
        members.append(
            developerToolMember<AzureDeveloperCliCredential, AzureDeveloperCliCredentialOptions>(c));
    if (!excluded[InteractiveBrowser])
        members.append(interactiveBrowserMember(c));
    return members;
}

// azure.identity raises the ValueError of a member's constructor from its own.
std::optional<AuthError> membersConfigurationError(const QList<detail::DefaultChainMember> &members)
{
    if (members.isEmpty()) // azure.identity: ChainedTokenCredential's ValueError
        return AuthError::configuration(QStringLiteral("at least one credential is required"));
    for (const detail::DefaultChainMember &member : members) {
        if (member.failuresUnavailable)
            continue;
        if (auto error = member.credential->configurationError()) {
            error->message =
                QStringLiteral("DefaultAzureCredential: %1: %2").arg(member.displayName(), error->message);
            return error;
        }
    }
    return std::nullopt;
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
    const Selection selection = select(options, environment);
    QList<detail::DefaultChainMember> members;
    if (selection.error) {
        d->configurationError = selection.error->asConfigurationError();
        d->chain = new detail::DefaultChain(members, name(), this);
        return;
    }
    members = chainMembers(ChainContext{options, environment, selection});
    d->configurationError = membersConfigurationError(members);
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
