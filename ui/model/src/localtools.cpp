#include "azid/model/localtools.h"

#include "azid/model/accountservice.h"

namespace azid::model {
namespace {

// A value for a POSIX shell, quoted so that nothing in it is interpreted.
QString shellQuoted(const QString &value)
{
    QString quoted = value;
    quoted.replace(QLatin1Char('\''), QStringLiteral("'\\''"));
    return QLatin1Char('\'') + quoted + QLatin1Char('\'');
}

} // namespace

LocalTools::LocalTools(AccountService &accounts, const QString &profile, QObject *parent)
    : QObject(parent), m_accounts(accounts)
{
    qRegisterMetaType<LocalToolRequest>();
    TokenAgent::Options options;
    options.profile = profile;
    m_agent = std::make_unique<TokenAgent>(accounts, options);
    connect(m_agent.get(), &TokenAgent::requestServed, this, &LocalTools::onAgentRequest);
    connect(&m_accounts, &AccountService::accountsChanged, this, &LocalTools::stopRemovedAccounts);
}

LocalTools::~LocalTools() = default;

VoidResult LocalTools::startAgent()
{
    if (m_agent->isListening())
        return Done{};
    return m_agent->listen();
}

QStringList LocalTools::servedAccounts() const
{
    QStringList ids;
    for (const auto &[id, endpoint] : m_endpoints)
        ids.append(id);
    return ids;
}

bool LocalTools::isServing(const QString &accountId) const
{
    return m_endpoints.count(accountId) > 0;
}

VoidResult LocalTools::serve(const QString &accountId)
{
    if (isServing(accountId))
        return Done{};
    auto endpoint = std::make_unique<ManagedIdentityEndpoint>(m_accounts);
    ManagedIdentityEndpointOptions options;
    options.accountIds = {accountId};
    if (const VoidResult started = endpoint->start(options); !started.ok())
        return started;
    connect(endpoint.get(), &ManagedIdentityEndpoint::requestServed, this, &LocalTools::onEndpointRequest);
    m_agent->setManagedIdentityEndpoint(endpoint->url(), endpoint->secret(), accountId);
    m_endpoints[accountId] = std::move(endpoint);
    emit servingChanged(accountId, true);
    return Done{};
}

void LocalTools::stopServing(const QString &accountId)
{
    const auto found = m_endpoints.find(accountId);
    if (found == m_endpoints.end())
        return;
    found->second->stop();
    m_endpoints.erase(found);
    m_agent->clearManagedIdentityEndpoint(accountId);
    emit servingChanged(accountId, false);
}

QString LocalTools::shellEnvironment(const QString &accountId) const
{
    const auto found = m_endpoints.find(accountId);
    if (found == m_endpoints.end())
        return {};
    const ManagedIdentityEndpoint &endpoint = *found->second;
    return QStringLiteral("export IDENTITY_ENDPOINT=%1\nexport IDENTITY_HEADER=%2\n")
        .arg(shellQuoted(endpoint.url().toString()), shellQuoted(endpoint.secret().revealString()));
}

void LocalTools::onAgentRequest(const AgentRequestRecord &record)
{
    LocalToolRequest request;
    request.time = record.time;
    request.channel = LocalToolRequest::Channel::Agent;
    request.scope = record.scopes.join(QLatin1Char(' '));
    request.accountId = record.accountId;
    request.username = usernameOf(record.accountId);
    request.pid = record.pid;
    request.program = record.program;
    request.served = record.served;
    request.error = record.errorKind;
    remember(request);
}

void LocalTools::onEndpointRequest(const ServedRequest &served)
{
    LocalToolRequest request;
    request.time = served.time;
    request.channel = LocalToolRequest::Channel::ManagedIdentity;
    request.scope = served.scope;
    request.accountId = served.accountId;
    request.username = served.username.isEmpty() ? usernameOf(served.accountId) : served.username;
    request.pid = served.pid;
    request.program = served.program;
    request.served = served.served();
    request.error = served.error;
    remember(request);
}

void LocalTools::remember(const LocalToolRequest &request)
{
    m_recent.append(request);
    while (m_recent.size() > RecentRequestsKept)
        m_recent.removeFirst();
    emit requestServed(request);
}

void LocalTools::stopRemovedAccounts()
{
    // Only a list read from an open keychain says an account is gone; a locked one says nothing.
    if (!m_accounts.isLoaded() || m_accounts.keychainState() != AccountService::KeychainState::Open)
        return;
    QStringList present;
    for (const AccountEntry &entry : m_accounts.accounts())
        present.append(entry.id());
    for (const QString &id : servedAccounts()) {
        if (!present.contains(id))
            stopServing(id);
    }
}

QString LocalTools::usernameOf(const QString &accountId) const
{
    for (const AccountEntry &entry : m_accounts.accounts()) {
        if (entry.id() == accountId)
            return entry.record().username;
    }
    return {};
}

} // namespace azid::model
