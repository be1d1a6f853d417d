#include "azid/ui/localtoolscontroller.h"

#include "azid/model/appsettings.h"
#include "azid/ui/desktopcontroller.h"
#include "azid/ui/localtoolswindow.h"
#include "azid/ui/secretclipboard.h"
#include "uilogging.h"

namespace azid::ui {

LocalToolsController::LocalToolsController(model::LocalTools &tools, model::AppSettings &settings,
                                           SecretClipboard &clipboard, DesktopController &desktop,
                                           QObject *parent)
    : QObject(parent), m_tools(tools), m_settings(settings), m_clipboard(clipboard), m_desktop(desktop)
{
    m_tools.agent().setStepUpHandler(
        [this](const model::TokenAgent::StepUp &request) { return stepUp(request); });
    connect(&m_tools, &model::LocalTools::servingChanged, this, &LocalToolsController::saveServedAccounts);
    connect(&m_desktop, &DesktopController::accountSignedIn, this,
            [this](const QString &accountId) { finishStepUps(accountId, Done{}); });
    connect(&m_desktop, &DesktopController::signInClosed, this, [this]() {
        finishAllStepUps(AuthError::authentication(tr("The sign-in in Azid was closed before it finished.")));
    });
}

LocalToolsController::~LocalToolsController()
{
    m_tools.agent().setStepUpHandler({});
    finishAllStepUps(AuthError::unavailable(tr("Azid is quitting.")));
    delete m_window;
}

void LocalToolsController::start()
{
    if (const VoidResult agent = m_tools.startAgent(); !agent.ok())
        qCInfo(lcUi).noquote() << "the agent does not run in this Azid:" << agent.error().message;
    m_starting = true;
    for (const QString &accountId : m_settings.servedAccounts()) {
        if (const VoidResult served = m_tools.serve(accountId); !served.ok())
            emit message(
                tr("Not served to local tools"),
                tr("An account's managed-identity endpoint could not start: %1").arg(served.error().message));
    }
    m_starting = false;
}

void LocalToolsController::setServing(const QString &accountId, bool serve)
{
    if (!serve) {
        m_tools.stopServing(accountId);
        return;
    }
    if (const VoidResult served = m_tools.serve(accountId); !served.ok())
        emit message(tr("Not served to local tools"),
                     tr("The managed-identity endpoint could not start: %1").arg(served.error().message));
}

void LocalToolsController::copyShellEnvironment(const QString &accountId)
{
    const QString environment = m_tools.shellEnvironment(accountId);
    if (environment.isEmpty())
        return;
    m_clipboard.copySecret(environment, m_settings.clipboardClearDelay());
    emit message(tr("Copied"),
                 tr("The shell environment of the account's managed-identity endpoint is on the "
                    "clipboard. Paste it into a shell; it holds the endpoint's secret."));
}

void LocalToolsController::showWindow()
{
    if (!m_window) {
        m_window = new LocalToolsWindow(m_tools);
        m_window->setAttribute(Qt::WA_DeleteOnClose);
    }
    m_window->show();
    m_window->raise();
    m_window->activateWindow();
}

QFuture<VoidResult> LocalToolsController::stepUp(const model::TokenAgent::StepUp &request)
{
    auto promise = std::make_shared<QPromise<VoidResult>>();
    promise->start();
    QFuture<VoidResult> future = promise->future();
    m_stepUps[request.accountId].append(promise);
    const QString program = request.program.isEmpty() ? tr("A program") : request.program;
    //: %1: the program (e.g. azid-cli, kubectl), %2: the scopes it asked for
    const QString reason =
        tr("%1 asks Azid for a token (%2).").arg(program, request.scopes.join(QLatin1Char(' ')));
    m_desktop.signInAgain(request.accountId, reason, request.scopes, request.claims);
    return future;
}

void LocalToolsController::finishStepUps(const QString &accountId, const VoidResult &result)
{
    const QList<std::shared_ptr<QPromise<VoidResult>>> waiting = m_stepUps.take(accountId);
    for (const auto &promise : waiting) {
        promise->addResult(result);
        promise->finish();
    }
}

void LocalToolsController::finishAllStepUps(const VoidResult &result)
{
    for (const QString &accountId : m_stepUps.keys())
        finishStepUps(accountId, result);
}

void LocalToolsController::saveServedAccounts()
{
    if (!m_starting)
        m_settings.setServedAccounts(m_tools.servedAccounts());
}

} // namespace azid::ui
