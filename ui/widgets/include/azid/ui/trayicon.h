#pragma once

#include "azid/model/accountservice.h"
#include "azid/model/appsettings.h"

#include <QIcon>
#include <QMenu>
#include <QObject>
#include <QPointer>
#include <QSystemTrayIcon>

#include <memory>

namespace azid::ui {

// The tray icon and its menu, in a class of its own (not the main window's): one submenu per
// account with the scope presets, the recent scopes and "Other scope…" to copy a token, the copy
// format, and the app's entries. The icon and tooltip show when a sign-in needs attention. It only
// says what the person asked for; DesktopController does it.
class TrayIcon : public QObject
{
    Q_OBJECT
public:
    // Locked: the keychain is locked or away (AccountService::keychainState()).
    enum class State { Normal, Busy, Attention, Locked };
    Q_ENUM(State)

    // Up to this many accounts, each has its submenu at the top of the menu; with more, the default
    // and the recently used ones do, and all of them sit under "All accounts", grouped by tenant.
    static constexpr int MaxAccountsInMenu = 12;

    // A token being fetched for a copy, which the menu offers to cancel.
    struct TokenFetch
    {
        QString accountId;
        QString username;
        QString scopeLabel;
    };

    TrayIcon(model::AccountService *service, model::AppSettings *settings, QObject *parent = nullptr);
    ~TrayIcon() override;

    static bool isSystemTrayAvailable();
    void show();
    void hide();
    bool isVisible() const;

    QMenu *menu() { return m_menu.get(); }
    // "Service principals and tools", after the accounts (AppIdentitiesMenu; not owned).
    void setAppIdentitiesMenu(QMenu *menu);
    QSystemTrayIcon *systemTrayIcon() { return &m_icon; }
    State state() const { return m_state; }
    QString toolTip() const;
    // Builds the menu from the current accounts and settings now.
    void rebuildMenu();
    // The copies still waiting for their token: the icon shows Busy and the menu offers "Cancel
    // fetching token for <account>" for each.
    void setTokenFetches(const QList<TokenFetch> &fetches);
    QList<TokenFetch> tokenFetches() const { return m_fetches; }

    // While a copied token waits to be cleared from the clipboard: the seconds left, shown in the
    // tooltip and in the menu's "Clear the clipboard now" entry; negative: nothing waits.
    void setClipboardCountdown(int seconds);
    int clipboardCountdown() const { return m_clearIn; }

    // Title and text are shown as plain text: user names come from outside.
    void showMessage(const QString &title, const QString &text,
                     QSystemTrayIcon::MessageIcon icon = QSystemTrayIcon::Information,
                     int milliseconds = 8000);
    QString lastMessage() const { return m_lastMessage; }

    // What a notification shows of `text`: markup characters as look-alikes, so that no notification
    // server (freedesktop notifications take a subset of HTML in their body) renders a user name from an
    // imported file as markup, and Qt's own balloon (plain text) shows the same.
    static QString notificationText(const QString &text);

    static QIcon iconFor(State state);
    // The title of an account's submenu: "user (tenant, cloud)", and "— default" for the default one.
    static QString accountTitle(const model::AccountEntry &entry, const QString &tenantName);

signals:
    void copyTokenRequested(const QString &accountId, const QString &scope);
    void otherScopeRequested(const QString &accountId);
    void signInAgainRequested(const QString &accountId);
    void addAccountRequested();
    void accountsWindowRequested();
    void settingsRequested();
    void localToolsWindowRequested();
    void quitRequested();
    void cancelFetchRequested(const QString &accountId);
    void clearClipboardRequested();
    // The last message shown was clicked.
    void messageClicked();

private:
    void updateState();
    void markDirty();
    // The parts of the menu, top to bottom.
    void addFetchActions();
    void addClipboardAction();
    QString clipboardText() const;
    void addUnlockAction();
    void addAccountMenus();
    void addTenantMenus(const QList<model::AccountEntry> &accounts);
    void addAccountMenu(QMenu *parent, const model::AccountEntry &entry);
    void addFormatMenu();

    QPointer<model::AccountService> m_service;
    QPointer<model::AppSettings> m_settings;
    QSystemTrayIcon m_icon;
    std::unique_ptr<QMenu> m_menu;
    QList<TokenFetch> m_fetches;
    State m_state = State::Normal;
    bool m_dirty = true;
    QString m_lastMessage;
    int m_clearIn = -1;
    QPointer<QAction> m_clearAction;
    QPointer<QMenu> m_appIdentities;
};

} // namespace azid::ui
