#pragma once

#include "azid/model/accountservice.h"
#include "azid/model/appsettings.h"
#include "azid/ui/accountsmodel.h"

#include <QMainWindow>
#include <QPointer>

class QLabel;
class QLineEdit;
class QModelIndex;
class QSortFilterProxyModel;
class QMenu;
class QTableView;
class QToolBar;
class QToolButton;

class QFrame;
class QPushButton;

namespace azid::ui {

// The accounts: a table over AccountsModel and the actions on the selection — sign in again,
// remove (after confirmation), set as default, copy a token, inspect a token, export and import
// records. Closing it only hides it while the tray icon is there.
class AccountsWindow : public QMainWindow
{
    Q_OBJECT
public:
    AccountsWindow(model::AccountService *service, AccountsModel *model, model::AppSettings *settings,
                   QWidget *parent = nullptr);

    QTableView *view() const { return m_view; }
    QString selectedAccountId() const;
    QStringList selectedAccountIds() const;
    void selectAccount(const QString &accountId);
    // Closing hides the window (true while the tray icon is shown).
    void setHideOnClose(bool hide) { m_hideOnClose = hide; }
    void showStatus(const QString &text);

    // The actions, also for tests (they open dialogs, which tests answer).
    void confirmRemoval();
    void setDefaultSelected();
    // "Share with Azure tools" for the selected account (AccountService::setShareWithAzureTools()).
    void shareSelected(bool share);
    QAction *shareAction() const { return m_share; }
    void exportSelected();
    void importRecords();
    // Without dialogs.
    VoidResult exportTo(const QString &path);
    void importFrom(const QString &path);

signals:
    void addAccountRequested();
    void signInAgainRequested(const QString &accountId);
    void copyTokenRequested(const QString &accountId, const QString &scope);
    void otherScopeRequested(const QString &accountId);
    // Empty accountId: open the inspector to paste a token.
    void inspectTokenRequested(const QString &accountId, const QString &scope);
    void settingsRequested();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    // The window's parts, built once by the constructor.
    void createToolbar();
    void addTokenButtons(QToolBar *toolbar);
    void addShareAction(QToolBar *toolbar);
    QWidget *createCentralWidget();
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

    QPointer<model::AccountService> m_service;
    AccountsModel *m_model;
    QPointer<model::AppSettings> m_settings;
    QTableView *m_view;
    QSortFilterProxyModel *m_filter = nullptr;
    QLineEdit *m_filterEdit = nullptr;
    QLabel *m_empty;
    bool m_hideOnClose = true;
    QAction *m_signInAgain;
    QAction *m_remove;
    QAction *m_setDefault;
    QAction *m_share;
    QAction *m_export;
    QToolButton *m_copyButton;
    QToolButton *m_inspectButton;
    QMenu *m_copyMenu;
    QMenu *m_inspectMenu;
    QFrame *m_keychainBanner = nullptr;
    QLabel *m_keychainText = nullptr;
    QPushButton *m_unlockButton = nullptr;
};

} // namespace azid::ui
