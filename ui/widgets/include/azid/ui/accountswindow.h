#pragma once

#include "azid/model/accountservice.h"
#include "azid/model/appsettings.h"
#include "azid/ui/accountsmodel.h"

#include <QMainWindow>
#include <QMessageBox>
#include <QPointer>

#include <memory>

class QFrame;
class QKeySequence;
class QLabel;
class QLineEdit;
class QMenu;
class QModelIndex;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;
class QTimer;
class QToolBar;
class QToolButton;

namespace azid::ui {

// The accounts: a table over AccountsModel and the actions on the selection — sign in again,
// remove (after confirmation), set as default, copy a token, inspect a token, export and import
// records. Closing it only hides it while the tray icon is there. Every action has a shortcut (shown
// in its tooltip and in the rows' context menu, which the Menu key and Shift+F10 open too), the
// toolbar is reached with Tab, and the columns fit their contents until the person resizes one
// (AppSettings keeps those widths).
class AccountsWindow : public QMainWindow
{
    Q_OBJECT
public:
    AccountsWindow(model::AccountService *service, AccountsModel *model, model::AppSettings *settings,
                   QWidget *parent = nullptr);

    QTableView *view() const { return m_view; }
    // A panel under the accounts (the service principals and developer tools), above the status line.
    void addPanel(QWidget *panel);
    QString selectedAccountId() const;
    QStringList selectedAccountIds() const;
    void selectAccount(const QString &accountId);
    // Closing hides the window (true while the tray icon is shown).
    void setHideOnClose(bool hide) { m_hideOnClose = hide; }
    // The status line under the table: wraps long text instead of cutting it; goes after 15 s.
    void showStatus(const QString &text);
    QString statusText() const;
    // "Token on the clipboard: cleared in N s"; a negative number hides it.
    void setClipboardCountdown(int seconds);

    // The actions, also for tests (they open dialogs, which tests answer).
    void confirmRemoval();
    void setDefaultSelected();
    // "Share with Azure tools" for the selected account (AccountService::setShareWithAzureTools()).
    void shareSelected(bool share);
    QAction *shareAction() const { return m_share; }
    // "Serve to local tools" (a managed-identity endpoint for the account) and "Copy shell environment":
    // the accounts served now, for the actions' state.
    void setServedAccounts(const QStringList &accountIds);
    QAction *serveToLocalToolsAction() const { return m_serveLocal; }
    QAction *copyShellEnvironmentAction() const { return m_copyEnvironment; }
    void exportSelected();
    void importRecords();
    // Without dialogs.
    VoidResult exportTo(const QString &path);
    // Asks before replacing an account that is already here, and before trusting an authority that is
    // not one of Microsoft's clouds (QMessageBoxes named replaceAccountsQuestion and
    // trustAuthorityQuestion, opened one after the other).
    void importFrom(const QString &path);
    // The row's actions, as the Menu key, Shift+F10 and a right click open them.
    QMenu *contextMenu() const { return m_contextMenu; }

signals:
    void addAccountRequested();
    void signInAgainRequested(const QString &accountId);
    void copyTokenRequested(const QString &accountId, const QString &scope);
    void otherScopeRequested(const QString &accountId);
    // Empty accountId: open the inspector to paste a token.
    void inspectTokenRequested(const QString &accountId, const QString &scope);
    void settingsRequested();
    void serveToLocalToolsRequested(const QString &accountId, bool serve);
    void copyShellEnvironmentRequested(const QString &accountId);
    // The window was closed while the tray keeps Azid running.
    void closedToTray();

protected:
    void closeEvent(QCloseEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    struct PendingImport;

    // The window's parts, built once by the constructor.
    QAction *createAction(const QString &text, const QString &iconName, const QKeySequence &shortcut,
                          const QString &objectName);
    void createActions();
    QToolBar *createToolbar();
    void addTokenButtons(QToolBar *toolbar);
    void configureShareAction();
    void makeToolbarFocusable(QToolBar *toolbar);
    void createContextMenu();
    void createShortcuts();
    QWidget *createCentralWidget();
    QWidget *createStatusLine(QWidget *parent);
    QLineEdit *createFilter(QWidget *parent);
    QTableView *createAccountsView(QWidget *parent);
    // The model's row of a row the view shows (the filter between them).
    int modelRow(const QModelIndex &viewIndex) const;
    void connectModel();
    QWidget *createKeychainBanner(QWidget *parent);
    void updateKeychainBanner();
    void updateActions();
    void fillScopeMenu(QMenu *menu, bool inspect);
    void updateEmptyState();
    void fitStatusText();
    // Enter or a double click: sign in again when the account needs it, else copy a token for Azure
    // Resource Manager.
    void activateRow(const QModelIndex &index);
    void copyDefaultToken();
    void popupBelow(QMenu *menu, QWidget *button);
    void showContextMenuAt(const QPoint &viewportPosition);
    void showContextMenuForCurrentRow();
    // Columns: fitted to their contents until the person resizes one, then as they left them.
    void restoreColumns();
    void fitColumnsToContents();
    void scheduleFitColumns();
    void onSectionResized(int column);
    // Import, step by step (each question answered asynchronously).
    void askToReplace(const std::shared_ptr<PendingImport> &pending);
    void askToTrustAuthorities(const std::shared_ptr<PendingImport> &pending);
    void storeImport(const std::shared_ptr<PendingImport> &pending);
    // A question about text from outside: plain text, its title whole.
    QMessageBox *question(QMessageBox::Icon icon, const QString &objectName, const QString &title,
                          const QString &text, const QString &details);

    QPointer<model::AccountService> m_service;
    AccountsModel *m_model;
    QPointer<model::AppSettings> m_settings;
    QTableView *m_view;
    QSortFilterProxyModel *m_filter = nullptr;
    QLineEdit *m_filterEdit = nullptr;
    QLabel *m_empty;
    QLabel *m_statusText = nullptr;
    QLabel *m_clipboardCountdown = nullptr;
    QTimer *m_statusTimer = nullptr;
    QTimer *m_fitColumnsTimer = nullptr;
    bool m_hideOnClose = true;
    bool m_sizingColumns = false;   // the window, not the person, is resizing columns
    bool m_columnsFromUser = false; // the person sized a column: fitting to contents stops
    QAction *m_add = nullptr;
    QAction *m_signInAgain = nullptr;
    QAction *m_copyDefault = nullptr;
    QAction *m_copyChoose = nullptr;
    QAction *m_inspect = nullptr;
    QAction *m_remove = nullptr;
    QAction *m_setDefault = nullptr;
    QAction *m_share = nullptr;
    QAction *m_export = nullptr;
    QAction *m_import = nullptr;
    QAction *m_settingsAction = nullptr;
    QAction *m_serveLocal = nullptr;
    QAction *m_copyEnvironment = nullptr;
    QStringList m_servedAccounts;
    QToolButton *m_copyButton = nullptr;
    QToolButton *m_inspectButton = nullptr;
    QMenu *m_copyMenu = nullptr;
    QMenu *m_inspectMenu = nullptr;
    QMenu *m_contextMenu = nullptr;
    QFrame *m_keychainBanner = nullptr;
    QLabel *m_keychainText = nullptr;
    QPushButton *m_unlockButton = nullptr;
};

} // namespace azid::ui
