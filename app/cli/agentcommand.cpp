// azid-cli agent: the agent (ui/model's TokenAgent over the account model) in the foreground, for
// headless sessions and the systemd user unit; azid-cli env: what its managed-identity endpoint is.
#include "agentclient.h"
#include "commands.h"
#include "output.h"
#include "storage.h"

#include "azid/model/accountselection.h"
#include "azid/model/accountservice.h"
#include "azid/model/managedidentityendpoint.h"
#include "azid/model/tokenagent.h"

#include <QCoreApplication>
#include <QLoggingCategory>
#include <QSocketNotifier>

#include <csignal>
#include <fcntl.h>
#include <unistd.h>

namespace azid::cli {
namespace {

// SIGTERM and SIGINT end the event loop through a pipe: a signal handler may only write().
int g_signalPipe[2] = {-1, -1};

void onStopSignal(int)
{
    const char byte = 1;
    [[maybe_unused]] const ssize_t written = ::write(g_signalPipe[1], &byte, 1);
}

// Quits the application when SIGTERM or SIGINT arrives; false when the pipe could not be made.
bool quitOnStopSignals(QObject *context)
{
    if (::pipe2(g_signalPipe, O_CLOEXEC | O_NONBLOCK) != 0)
        return false;
    auto *notifier = new QSocketNotifier(g_signalPipe[0], QSocketNotifier::Read, context);
    QObject::connect(notifier, &QSocketNotifier::activated, context, []() {
        char drained[16];
        while (::read(g_signalPipe[0], drained, sizeof drained) > 0) {
        }
        QCoreApplication::quit();
    });
    struct sigaction action
    {};
    action.sa_handler = onStopSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    ::sigaction(SIGTERM, &action, nullptr);
    ::sigaction(SIGINT, &action, nullptr);
    return true;
}

// --managed-identity-endpoint [ADDR:]PORT: the local managed-identity endpoint serving --account, started
// beside the agent (ui/model's ManagedIdentityEndpoint), and made known to the agent with
// agent.setManagedIdentityEndpoint(url, secret, accountId) so that `azid-cli env` prints it. Returns the
// error that stops the agent from starting, if any.
std::optional<AuthError> startManagedIdentityEndpoint(const Arguments &a, model::AccountService &service,
                                                      model::TokenAgent &agent)
{
    if (a.managedIdentityEndpoint.isEmpty())
        return std::nullopt;
    const Result<model::EndpointAddress> address = model::parseEndpointAddress(a.managedIdentityEndpoint);
    if (!address.ok())
        return address.error();
    model::ManagedIdentityEndpointOptions options;
    options.listen = address.value();
    if (!a.account.isEmpty())
        options.accountIds = {a.account};
    options.allowedScopes = a.scopes;
    auto *endpoint = new model::ManagedIdentityEndpoint(service, &agent);
    if (const VoidResult started = endpoint->start(options); !started.ok())
        return started.error();
    if (endpoint->isExposed())
        printNote(QStringLiteral("warning: ") + endpoint->warning());
    // `azid-cli env --account SEL` finds the endpoint by the home account id of the account it serves,
    // known once the accounts are read.
    const auto publish = [&service, &agent, endpoint, selector = a.account, profile = a.profile]() {
        if (selector.isEmpty()) {
            agent.setManagedIdentityEndpoint(endpoint->url(), endpoint->secret());
            return;
        }
        QList<StoredAccount> accounts;
        for (const model::AccountEntry &entry : service.accounts())
            accounts << entry.stored;
        const Result<StoredAccount> chosen = model::selectAccount(accounts, selector, profile);
        if (!chosen.ok())
            return;
        endpoint->setAccounts({chosen.value().record.homeAccountId});
        agent.setManagedIdentityEndpoint(endpoint->url(), endpoint->secret(),
                                         chosen.value().record.homeAccountId);
    };
    publish();
    QObject::connect(&service, &model::AccountService::accountsChanged, endpoint, publish);
    return std::nullopt;
}

// A value as one word for a POSIX shell, in single quotes.
QByteArray shellQuoted(const QByteArray &value)
{
    QByteArray quoted = value;
    quoted.replace('\'', QByteArrayLiteral("'\\''"));
    return '\'' + quoted + '\'';
}

} // namespace

int agent(const Arguments &a)
{
    if (!a.verbose) {
        // What is served is the agent's log (the journal, under systemd); never a token.
        QLoggingCategory::setFilterRules(
            QStringLiteral("azid.*.debug=false\nazid.*.info=false\nazid.model.agent.info=true\n"
                           "azid.model.endpoint.info=true"));
    }
    qSetMessagePattern(QStringLiteral("azid-cli agent: %{if-warning}warning: %{endif}%{message}"));

    model::AccountService service(std::make_unique<ProfileStorage>(a.profile, storageOptions(a)));
    if (!a.caBundle.isEmpty()) {
        HttpOptions http = service.httpOptions();
        http.caBundleFile = a.caBundle;
        service.setHttpOptions(http);
    }
    model::TokenAgent agent(service, model::TokenAgent::Options{a.profile});
    if (const VoidResult listening = agent.listen(); !listening.ok())
        return fail(listening.error(), a);
    if (const auto error = startManagedIdentityEndpoint(a, service, agent))
        return fail(*error, a);
    if (!quitOnStopSignals(&agent))
        return fail(AuthError::unavailable(QStringLiteral("azid-cli agent cannot watch for SIGTERM.")), a);
    service.reload();
    QCoreApplication::exec();
    agent.close();
    printNote(QStringLiteral("azid-cli agent: stopped"));
    return ExitSuccess;
}

int env(const Arguments &a)
{
    model::agent::Request request;
    request.type = model::agent::Request::Type::Environment;
    request.account = a.account;
    const std::optional<model::agent::Answer> answer = askAgent(a.profile, request);
    if (!answer) {
        return fail(
            AuthError::unavailable(
                QStringLiteral("No Azid agent runs for the profile \"%1\": start one with azid-cli agent "
                               "--managed-identity-endpoint PORT (or the tray app's \"Serve to local "
                               "tools\").")
                    .arg(a.profile)),
            a);
    }
    if (answer->type == model::agent::Answer::Type::Error)
        return fail(answer->error, a);
    if (answer->type != model::agent::Answer::Type::Environment)
        return fail(
            AuthError::unavailable(QStringLiteral("The Azid agent gave no managed-identity endpoint.")), a);
    printResult(
        QByteArrayLiteral("export IDENTITY_ENDPOINT=") + shellQuoted(answer->identityEndpoint.toEncoded()) +
        QByteArrayLiteral("\nexport IDENTITY_HEADER=") + shellQuoted(answer->identityHeader.reveal()) + '\n');
    return ExitSuccess;
}

} // namespace azid::cli
