#pragma once

#include "azid/model/accountservice.h"
#include "azid/model/appsettings.h"
#include "azid/ui/accountsmodel.h"
#include "azid/ui/accountswindow.h"
#include "azid/ui/appidentitiescontroller.h"
#include "azid/ui/secretclipboard.h"
#include "azid/ui/settingsdialog.h"
#include "azid/ui/signindialog.h"
#include "azid/ui/tokeninspector.h"
#include "azid/ui/trayicon.h"

#include <QFuture>
#include <QHash>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <chrono>

#include <memory>
#include <optional>

namespace azid::ui {

class LocalToolsController;

// What the desktop app does when someone asks: copy a token (silently; a sign-in dialog with the
// reason when interaction is needed, after which the copy happens), sign in, inspect, change
// settings, quit. It owns the tray icon and the windows; the service, settings and clipboard come
// from the composition root.
class DesktopController : public QObject
{
    Q_OBJECT
public:
    DesktopController(model::AccountService *service, model::AppSettings *settings,
                      SecretClipboard *clipboard, QObject *parent = nullptr);
    ~DesktopController() override;

    // The program started at login (the running executable).
    void setProgramPath(const QString &path) { m_programPath = path; }
    // Loads the accounts and shows the tray icon, or the window when there is no tray. With no
    // accounts at all once they are loaded (a first start), the window shows too, with its empty state.
    void start(bool showWindow);
    // What the app serves to local programs: its window from the tray menu, and the accounts window's
    // "Serve to local tools" and "Copy shell environment".
    void attachLocalTools(LocalToolsController *localTools);

    TrayIcon *tray() const { return m_tray.get(); }
    AccountsModel *model() const { return m_model.get(); }
    AccountsWindow *accountsWindow() const { return m_window.get(); }
    AppIdentitiesController *appIdentities() const { return m_appIdentities.get(); }
    SignInDialog *signInDialog() const { return m_signIn; }
    TokenInspector *inspector() const { return m_inspector; }
    bool usesTray() const { return m_usesTray; }
    // The accounts whose token is being fetched for a copy (at most one fetch each).
    QStringList tokenFetches() const { return m_fetches.keys(); }
    // How long a fetch runs before a tray message offers to cancel it (click it to cancel).
    void setSlowFetchNoticeDelay(std::chrono::milliseconds delay) { m_slowFetchNotice = delay; }

public slots:
    void showAccountsWindow();
    void copyToken(const QString &accountId, const QString &scope, const QString &claims = {});
    // Abandons the copy running for the account: nothing is copied, whenever its answer comes.
    void cancelTokenFetch(const QString &accountId);
    void openSignIn();
    void signInAgain(const QString &accountId, const QString &reason = {}, const QStringList &scopes = {},
                     const QString &claims = {});
    void askForScope(const QString &accountId);
    void openInspector(const QString &accountId, const QString &scope);
    void openSettings();
    void applySettings();
    void quit();

signals:
    void tokenCopied(const QString &accountId, const QString &scope, qint64 expiresOn);
    void tokenFetchCancelled(const QString &accountId, const QString &scope);
    // A sign-in from the sign-in dialog succeeded (a new account or a sign-in again).
    void accountSignedIn(const QString &accountId);
    // The sign-in dialog was closed without a sign-in.
    void signInClosed();
    void quitRequested();

private:
    struct PendingCopy
    {
        QString accountId;
        QString scope;
        QString claims;
    };

    // A copy waiting for its token.
    struct TokenFetch
    {
        quint64 ticket = 0; // tells this fetch from a later one for the same account
        QString user;
        QString scope;
        QFuture<TokenResult> future;
    };

    void notify(const QString &title, const QString &text,
                QSystemTrayIcon::MessageIcon icon = QSystemTrayIcon::Information);
    void abandonTokenFetch(const QString &accountId);
    void updateTrayFetches();
    void showSignInDialog(const model::SignInRequest &prefill, bool again);
    void onSignedIn(const StoredAccount &account, const model::SignInRequest &request);
    void handleTokenError(const QString &accountId, const QString &scope, const AuthError &error,
                          std::optional<PendingCopy> retry);
    static void raise(QWidget *widget);
    void onWindowClosedToTray();
    // The countdown of a copied token, in the tray and the accounts window, once a second.
    void connectClipboardCountdown();
    // The service principals and developer tools in the profile's keychain: the tray's menu of them and
    // the accounts window's panel.
    void connectAppIdentities();
    void updateClipboardCountdown();
    void showWindowIfNoAccounts();

    QPointer<model::AccountService> m_service;
    QPointer<model::AppSettings> m_settings;
    QPointer<SecretClipboard> m_clipboard;
    std::unique_ptr<AccountsModel> m_model;
    std::unique_ptr<TrayIcon> m_tray;
    std::unique_ptr<AccountsWindow> m_window;
    std::unique_ptr<AppIdentitiesController> m_appIdentities; // service principals and developer tools
    QPointer<SignInDialog> m_signIn;
    QPointer<TokenInspector> m_inspector;
    QPointer<SettingsDialog> m_settingsDialog;
    std::optional<PendingCopy> m_pendingCopy;
    QString m_programPath;
    QStringList m_shownWarnings;
    QHash<QString, TokenFetch> m_fetches; // by account id
    quint64 m_lastTicket = 0;
    std::chrono::milliseconds m_slowFetchNotice{2000};
    QString m_cancelNotice;     // the tray message that offers to cancel a fetch...
    quint64 m_cancelTicket = 0; // ...and the fetch it is about
    bool m_usesTray = false;
    QTimer *m_countdown = nullptr;
};

} // namespace azid::ui
