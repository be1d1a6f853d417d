#pragma once

#include "azid/model/localtools.h"
#include "azid/ui/localtoolswindow.h"

#include <QFuture>
#include <QHash>
#include <QObject>
#include <QPointer>
#include <QPromise>

#include <memory>

namespace azid::model {
class AppSettings;
}

namespace azid::ui {

class DesktopController;
class SecretClipboard;

// The tray app's side of what it serves to local programs (model::LocalTools):
// - starts the agent and the managed-identity endpoints of the accounts chosen before;
// - keeps the choice ("Serve to local tools") in the settings;
// - asks the person when a program's request needs a sign-in (step-up): the sign-in dialog opens for
//   that account with why, and the waiting program gets its token once the person signed in;
// - copies an endpoint's shell environment (it holds the endpoint's secret) to the clipboard as a secret;
// - shows what was served (LocalToolsWindow).
class LocalToolsController : public QObject
{
    Q_OBJECT
public:
    LocalToolsController(model::LocalTools &tools, model::AppSettings &settings, SecretClipboard &clipboard,
                         DesktopController &desktop, QObject *parent = nullptr);
    ~LocalToolsController() override;

    // Starts the agent (a message in the log when another Azid or `azid-cli agent` serves the profile
    // already) and the endpoints of the accounts the settings name.
    void start();
    model::LocalTools &tools() { return m_tools; }
    LocalToolsWindow *window() const { return m_window; }
    // The step-ups waiting for the person, by account id.
    QStringList waitingSignIns() const { return m_stepUps.keys(); }

public slots:
    void setServing(const QString &accountId, bool serve);
    void copyShellEnvironment(const QString &accountId);
    void showWindow();

signals:
    // Something the person should read (an endpoint that could not start, a copied environment).
    void message(const QString &title, const QString &text);

private:
    QFuture<VoidResult> stepUp(const model::TokenAgent::StepUp &request);
    void finishStepUps(const QString &accountId, const VoidResult &result);
    void finishAllStepUps(const VoidResult &result);
    void saveServedAccounts();

    model::LocalTools &m_tools;
    model::AppSettings &m_settings;
    SecretClipboard &m_clipboard;
    DesktopController &m_desktop;
    QPointer<LocalToolsWindow> m_window;
    QHash<QString, QList<std::shared_ptr<QPromise<VoidResult>>>> m_stepUps; // by account id
    bool m_starting = false; // endpoints started from the settings do not write them back
};

} // namespace azid::ui
