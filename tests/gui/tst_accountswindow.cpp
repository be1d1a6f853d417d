// The accounts window and the tray menu as a person meets them (issue 15): columns that hold their
// contents after a restart and keep the person's widths, a keyboard path to every action, a status
// line that does not cut long errors, imports that ask before replacing and before trusting an
// authority, the default account marked in the tray menu and the clipboard's countdown. Over the
// in-memory keychain, offscreen; screenshots of the tray menu and an import question go to the build
// folder.
#include "azid/keychain/memorysecretstore.h"
#include "azid/keychain/profilestorage.h"
#include "azid/model/accountservice.h"
#include "azid/model/appsettings.h"
#include "azid/model/cloud.h"
#include "azid/model/records.h"
#include "azid/ui/accountsmodel.h"
#include "azid/ui/accountswindow.h"
#include "azid/ui/desktopcontroller.h"
#include "azid/ui/secretclipboard.h"
#include "azid/ui/trayicon.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QFileDialog>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QToolBar>
#include <QToolButton>

using namespace azid;
using namespace azid::model;
using namespace azid::ui;

namespace {

AuthenticationRecord record(const QString &user, const QString &oid,
                            const QString &authority = QStringLiteral("login.microsoftonline.com"))
{
    AuthenticationRecord r;
    r.authority = authority;
    r.clientId = QStringLiteral("04b07795-8ddb-461a-bbee-02f9e1bf7b46");
    r.tenantId = QStringLiteral("72f988bf-86f1-41af-91ab-2d7cd011db47");
    r.homeAccountId = oid + QStringLiteral("-1111-4222-8333-444444444444.") + r.tenantId;
    r.username = user;
    return r;
}

QString writeFile(const QTemporaryDir &dir, const QString &name, const QList<AuthenticationRecord> &records)
{
    const QString path = dir.filePath(name);
    if (!writeRecordsFile(path, records, RecordsShape::Array).ok())
        return {};
    return path;
}

// The visible message box of that name (dialogs are opened, never exec()ed).
QMessageBox *visibleBox(const QString &name)
{
    for (QWidget *widget : QApplication::topLevelWidgets()) {
        if (widget->objectName() == name && widget->isVisible())
            return qobject_cast<QMessageBox *>(widget);
    }
    return nullptr;
}

QWidget *visibleTopLevel(const QString &name)
{
    for (QWidget *widget : QApplication::topLevelWidgets()) {
        if (widget->objectName() == name && widget->isVisible())
            return widget;
    }
    return nullptr;
}

// What the column's cells need (QTableView keeps its override protected; the base's is public).
int contentWidth(QTableView *view, int column)
{
    return static_cast<QAbstractItemView *>(view)->sizeHintForColumn(column);
}

QAction *actionNamed(QMenu *menu, const QString &startsWith)
{
    for (QAction *action : menu->actions()) {
        if (action->text().startsWith(startsWith))
            return action;
    }
    return nullptr;
}

} // namespace

class TestAccountsWindow : public QObject
{
    Q_OBJECT

    QTemporaryDir m_data;
    std::shared_ptr<MemorySecretStore> m_store;
    std::unique_ptr<AccountService> m_service;
    std::unique_ptr<AppSettings> m_settings;
    std::unique_ptr<AccountsModel> m_model;
    std::unique_ptr<AccountsWindow> m_window;
    int m_profiles = 0;

    // A new keychain with these accounts, and settings of their own.
    void freshProfile(const QList<AuthenticationRecord> &accounts)
    {
        closeWindow();
        m_store = std::make_shared<MemorySecretStore>();
        ++m_profiles;
        m_settings = std::make_unique<AppSettings>(
            QStringLiteral("window"), m_data.filePath(QStringLiteral("window-%1.conf").arg(m_profiles)));
        startService();
        if (accounts.isEmpty())
            return;
        const QFuture<Result<int>> imported = m_service->importRecords(serializeRecords(accounts));
        QVERIFY(QTest::qWaitFor([&]() { return imported.isFinished(); }, 30000));
        QVERIFY(imported.result().ok());
        QVERIFY(QTest::qWaitFor([&]() { return m_service->accounts().size() == accounts.size(); }, 30000));
    }

    void startService()
    {
        m_service = std::make_unique<AccountService>(std::make_unique<ProfileStorage>(
            QStringLiteral("window"), ProfileStorage::TokenPersistence::Encrypted, m_store));
        QSignalSpy changed(m_service.get(), &AccountService::accountsChanged);
        m_service->reload();
        QVERIFY(changed.wait(30000));
    }

    // As the app starts: the window is built before the accounts are read, then it is shown.
    void restartWithWindow(int width = 1240)
    {
        closeWindow();
        m_service = std::make_unique<AccountService>(std::make_unique<ProfileStorage>(
            QStringLiteral("window"), ProfileStorage::TokenPersistence::Encrypted, m_store));
        m_model = std::make_unique<AccountsModel>(m_service.get());
        m_window = std::make_unique<AccountsWindow>(m_service.get(), m_model.get(), m_settings.get());
        m_window->setHideOnClose(false);
        QSignalSpy changed(m_service.get(), &AccountService::accountsChanged);
        m_service->reload();
        QVERIFY(changed.wait(30000));
        m_window->resize(width, 420);
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
        QApplication::setActiveWindow(m_window.get());
        QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
        QCoreApplication::processEvents();
    }

    void closeWindow()
    {
        for (QWidget *widget : QApplication::topLevelWidgets()) {
            if (qobject_cast<QMessageBox *>(widget) || qobject_cast<QFileDialog *>(widget))
                widget->close();
        }
        m_window.reset();
        m_model.reset();
    }

    QAction *action(const QString &name) const { return m_window->findChild<QAction *>(name); }

    void selectUser(const QString &user)
    {
        for (const AccountEntry &entry : m_service->accounts()) {
            if (entry.record().username == user)
                m_window->selectAccount(entry.id());
        }
        QCOMPARE(m_service->account(m_window->selectedAccountId())->record().username, user);
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_data.isValid());
        qputenv("XDG_DATA_HOME", m_data.filePath(QStringLiteral("data")).toUtf8());
        qputenv("HOME", m_data.path().toUtf8());
        qunsetenv("DBUS_SESSION_BUS_ADDRESS");
    }

    void cleanup() { closeWindow(); }

    // Issue 15, point 1: every start with accounts squeezed the columns to a few characters.
    void columnsHoldTheirContentsAfterARestart()
    {
        freshProfile(
            {record(QStringLiteral("alice.wonderland-longname@contoso.example"), QStringLiteral("0000000a")),
             record(QStringLiteral("bob@contoso.example"), QStringLiteral("0000000b"),
                    QStringLiteral("https://idp.contoso.example:8443"))});
        restartWithWindow();
        QTableView *view = m_window->view();
        QHeaderView *header = view->horizontalHeader();
        QTRY_VERIFY(view->columnWidth(AccountsModel::UserColumn) >=
                    contentWidth(view, AccountsModel::UserColumn));
        const int idWidth = view->fontMetrics().horizontalAdvance(QStringLiteral("72f988bf-86f1-41af"));
        for (int column = 0; column < AccountsModel::TokensColumn; ++column) {
            const int content = std::max(contentWidth(view, column), header->sectionSizeHint(column));
            const bool id = column == AccountsModel::TenantColumn || column == AccountsModel::ClientIdColumn;
            const int wanted = id ? std::min(content, idWidth) : content;
            QVERIFY2(view->columnWidth(column) >= wanted,
                     qPrintable(QStringLiteral("column %1 (%2) is %3 px, its contents need %4")
                                    .arg(column)
                                    .arg(m_model->headerData(column, Qt::Horizontal).toString())
                                    .arg(view->columnWidth(column))
                                    .arg(wanted)));
        }
        QVERIFY(m_settings->accountsColumns().isEmpty()); // fitting is not a choice of the person's

        // The person widens one column and narrows another: after a restart they are as they were left.
        header->resizeSection(AccountsModel::UserColumn, 377);
        header->resizeSection(AccountsModel::MethodColumn, 61);
        QVERIFY(!m_settings->accountsColumns().isEmpty());
        restartWithWindow();
        view = m_window->view();
        QCOMPARE(view->columnWidth(AccountsModel::UserColumn), 377);
        QCOMPARE(view->columnWidth(AccountsModel::MethodColumn), 61);
        // New accounts do not undo the person's widths.
        const QFuture<Result<int>> more = m_service->importRecords(
            serializeRecords({record(QStringLiteral("carol@contoso.example"), QStringLiteral("0000000c"))}));
        QTRY_COMPARE(m_model->rowCount(), 3);
        QCoreApplication::processEvents();
        QCOMPARE(view->columnWidth(AccountsModel::MethodColumn), 61);
    }

    // Issue 15, point 2: each action through its keys, as a keyboard-only person uses the window.
    void everyActionHasAKeyboardPath()
    {
        freshProfile({record(QStringLiteral("alice@contoso.example"), QStringLiteral("0000000a")),
                      record(QStringLiteral("bob@contoso.example"), QStringLiteral("0000000b"))});
        restartWithWindow();
        QTableView *view = m_window->view();
        selectUser(QStringLiteral("bob@contoso.example"));
        const QString bob = m_window->selectedAccountId();
        view->setFocus();
        QTRY_VERIFY(view->hasFocus());

        QSignalSpy add(m_window.get(), &AccountsWindow::addAccountRequested);
        QSignalSpy again(m_window.get(), &AccountsWindow::signInAgainRequested);
        QSignalSpy copy(m_window.get(), &AccountsWindow::copyTokenRequested);
        QSignalSpy settings(m_window.get(), &AccountsWindow::settingsRequested);

        QTest::keyClick(view, Qt::Key_N, Qt::ControlModifier);
        QCOMPARE(add.count(), 1);
        QTest::keyClick(view, Qt::Key_R, Qt::ControlModifier);
        QCOMPARE(again.count(), 1);
        QCOMPARE(again.takeFirst().at(0).toString(), bob);
        QTest::keyClick(view, Qt::Key_C, Qt::ControlModifier);
        QCOMPARE(copy.count(), 1);
        QCOMPARE(copy.first().at(0).toString(), bob);
        QCOMPARE(copy.takeFirst().at(1).toString(), resourceManagerScope(Cloud::Public));
        // Enter on a row: an imported account has no tokens yet, so it signs in again.
        QTest::keyClick(view, Qt::Key_Return);
        QCOMPARE(again.count(), 1);
        QCOMPARE(again.takeFirst().at(0).toString(), bob);
        QTest::keyClick(view, Qt::Key_Comma, Qt::ControlModifier);
        QCOMPARE(settings.count(), 1);

        // Menus: the copy and inspect menus, and the row's context menu by the Menu key and Shift+F10.
        const QList<std::pair<QKeyCombination, QString>> menus{
            {QKeyCombination(Qt::ControlModifier | Qt::ShiftModifier, Qt::Key_C),
             QStringLiteral("copyTokenMenu")},
            {QKeyCombination(Qt::ControlModifier, Qt::Key_I), QStringLiteral("inspectTokenMenu")},
            {QKeyCombination(Qt::NoModifier, Qt::Key_Menu), QStringLiteral("accountContextMenu")},
            {QKeyCombination(Qt::ShiftModifier, Qt::Key_F10), QStringLiteral("accountContextMenu")}};
        for (const auto &[keys, name] : menus) {
            QTest::keyClick(view, keys.key(), keys.keyboardModifiers());
            QTRY_VERIFY2(visibleTopLevel(name), qPrintable(name));
            auto *menu = qobject_cast<QMenu *>(visibleTopLevel(name));
            QVERIFY(!menu->actions().isEmpty());
            menu->close();
            QTRY_VERIFY(!visibleTopLevel(name));
        }
        QVERIFY(actionNamed(m_window->contextMenu(), QStringLiteral("Remove")));

        // Dialogs: remove (Delete), export, import.
        const QList<std::pair<QKeyCombination, QString>> dialogs{
            {QKeyCombination(Qt::NoModifier, Qt::Key_Delete), QStringLiteral("removeConfirmation")},
            {QKeyCombination(Qt::ControlModifier, Qt::Key_E), QStringLiteral("exportDialog")},
            {QKeyCombination(Qt::ControlModifier, Qt::Key_O), QStringLiteral("importDialog")}};
        for (const auto &[keys, name] : dialogs) {
            view->setFocus();
            QApplication::setActiveWindow(m_window.get());
            QTRY_VERIFY(m_window->isActiveWindow());
            QTest::keyClick(view, keys.key(), keys.keyboardModifiers());
            QTRY_VERIFY2(visibleTopLevel(name), qPrintable(name));
            visibleTopLevel(name)->close();
            QTRY_VERIFY(!visibleTopLevel(name));
        }

        // Set as default and Share with Azure tools.
        QApplication::setActiveWindow(m_window.get());
        QTRY_VERIFY(m_window->isActiveWindow());
        QTest::keyClick(view, Qt::Key_D, Qt::ControlModifier);
        QTRY_VERIFY(m_service->defaultAccount() && m_service->defaultAccount()->id() == bob);
        QSignalSpy share(action(QStringLiteral("shareWithAzureToolsAction")), &QAction::triggered);
        QApplication::setActiveWindow(m_window.get());
        QTRY_VERIFY(m_window->isActiveWindow());
        QTest::keyClick(view, Qt::Key_S, Qt::ControlModifier | Qt::ShiftModifier);
        QCOMPARE(share.count(), 1);

        // Ctrl+F finds the filter; Delete there edits the text and removes nothing.
        QTest::keyClick(view, Qt::Key_F, Qt::ControlModifier);
        auto *filter = m_window->findChild<QLineEdit *>(QStringLiteral("accountsFilter"));
        QTRY_VERIFY(filter->hasFocus());
        QTest::keyClicks(filter, QStringLiteral("bobx"));
        QTest::keyClick(filter, Qt::Key_Left);
        QTest::keyClick(filter, Qt::Key_Delete);
        QCOMPARE(filter->text(), QStringLiteral("bob"));
        QVERIFY(!visibleTopLevel(QStringLiteral("removeConfirmation")));
    }

    void tabReachesTheToolbarAndTooltipsNameTheKeys()
    {
        freshProfile({record(QStringLiteral("alice@contoso.example"), QStringLiteral("0000000a"))});
        restartWithWindow();
        auto *toolbar = m_window->findChild<QToolBar *>(QStringLiteral("accountsToolbar"));
        QList<QWidget *> buttons;
        for (QAction *a : toolbar->actions()) {
            auto *button = qobject_cast<QToolButton *>(toolbar->widgetForAction(a));
            if (button && button->isEnabled() && button->isVisible())
                buttons << button;
        }
        QVERIFY2(buttons.size() >= 10, qPrintable(QString::number(buttons.size())));
        auto *filter = m_window->findChild<QLineEdit *>(QStringLiteral("accountsFilter"));
        filter->setFocus();
        QTRY_VERIFY(filter->hasFocus());
        QList<QWidget *> visited;
        for (int i = 0; i < buttons.size() + 3; ++i) {
            QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab);
            visited << QApplication::focusWidget();
        }
        QCOMPARE(visited.first(), m_window->view()); // Tab leaves the filter for the table...
        QVERIFY(visited.at(1) != m_window->view());  // ...and the table for the toolbar, not its next cell
        for (QWidget *button : buttons)
            QVERIFY2(visited.contains(button), qPrintable(qobject_cast<QToolButton *>(button)->text()));

        // Every action's shortcut is in its tooltip and next to it in the context menu.
        int withShortcut = 0;
        for (QAction *a : m_window->actions()) {
            if (a->shortcut().isEmpty())
                continue;
            ++withShortcut;
            QVERIFY2(a->toolTip().contains(a->shortcut().toString(QKeySequence::NativeText)),
                     qPrintable(a->toolTip()));
            QVERIFY2(!a->icon().isNull(), qPrintable(a->objectName()));
        }
        QCOMPARE(withShortcut, 13);
        for (QAction *a : m_window->contextMenu()->actions()) {
            if (!a->isSeparator() && !a->menu())
                QVERIFY2(!a->shortcut().isEmpty(), qPrintable(a->text()));
        }
    }

    // Issue 15, point 4 (the window's part): long errors wrap, "Removed" names the account; point 10:
    // the remove confirmation keeps its title whole.
    void statusLineAndRemoval()
    {
        freshProfile({record(QStringLiteral("alice@contoso.example"), QStringLiteral("0000000a")),
                      record(QStringLiteral("<b>bob</b>@contoso.example"), QStringLiteral("0000000b"))});
        restartWithWindow(640);
        const QString error =
            QStringLiteral("Could not get a token: ") + QString(40, QLatin1Char('x')) +
            QStringLiteral(" AADSTS50076: Due to a configuration change made by your administrator, or "
                           "because you moved to a new location, you must use multi-factor "
                           "authentication to access the resource. Sign in with the browser. END");
        m_window->showStatus(error);
        auto *status = m_window->findChild<QLabel *>(QStringLiteral("statusText"));
        QTRY_VERIFY(status->isVisible());
        QCoreApplication::processEvents();
        QCOMPARE(m_window->statusText(), error);
        QVERIFY(status->wordWrap());
        QTRY_VERIFY2(status->height() >= status->heightForWidth(status->width()),
                     qPrintable(QStringLiteral("%1 px high, the text needs %2")
                                    .arg(status->height())
                                    .arg(status->heightForWidth(status->width()))));
        QVERIFY(status->width() <= m_window->width());

        selectUser(QStringLiteral("<b>bob</b>@contoso.example"));
        m_window->confirmRemoval();
        QMessageBox *box = nullptr;
        QTRY_VERIFY((box = visibleBox(QStringLiteral("removeConfirmation"))));
        QVERIFY(QTest::qWaitForWindowExposed(box));
        QCOMPARE(box->textFormat(), Qt::PlainText); // the user name is not markup
        QVERIFY(box->text().contains(QStringLiteral("<b>bob</b>")));
        const int titleWidth = box->fontMetrics().horizontalAdvance(box->windowTitle());
        QVERIFY2(box->width() >= titleWidth + 150,
                 qPrintable(QStringLiteral("%1 px for a title of %2 px").arg(box->width()).arg(titleWidth)));
        box->findChild<QPushButton *>(QStringLiteral("confirmRemoveButton"))->click();
        QTRY_COMPARE(m_window->statusText(), QStringLiteral("Removed <b>bob</b>@contoso.example."));
        QTRY_COMPARE(m_service->accounts().size(), 1);
    }

    // Issue 15, point 6 and issue 14: an account that is already here is "already present"; another
    // record for it replaces it only when the person says so.
    void importAsksBeforeReplacing()
    {
        QTemporaryDir files;
        const AuthenticationRecord alice =
            record(QStringLiteral("alice@contoso.example"), QStringLiteral("0000000a"));
        freshProfile({alice});
        restartWithWindow();

        const AuthenticationRecord bob =
            record(QStringLiteral("bob@contoso.example"), QStringLiteral("0000000b"));
        m_window->importFrom(writeFile(files, QStringLiteral("same.json"), {alice, bob}));
        QTRY_VERIFY2(m_window->statusText().contains(QStringLiteral("Imported 1 account record")),
                     qPrintable(m_window->statusText()));
        QVERIFY2(m_window->statusText().contains(QStringLiteral("Already present: alice@contoso.example.")),
                 qPrintable(m_window->statusText()));
        QVERIFY(!visibleBox(QStringLiteral("replaceAccountsQuestion"))); // nothing to replace: no question
        QTRY_COMPARE(m_service->accounts().size(), 2);

        AuthenticationRecord renamed = alice;
        renamed.username = QStringLiteral("<i>alice.smith</i>@contoso.example");
        const QString renamedFile = writeFile(files, QStringLiteral("renamed.json"), {renamed});
        m_window->importFrom(renamedFile);
        QMessageBox *box = nullptr;
        QTRY_VERIFY((box = visibleBox(QStringLiteral("replaceAccountsQuestion"))));
        QCOMPARE(box->textFormat(), Qt::PlainText);
        QVERIFY(box->text().contains(renamed.username));
        QVERIFY(QTest::qWaitForWindowExposed(box));
        box->grab().save(QStringLiteral(AZID_SCREENSHOT_DIR "/azid-import-replace.png"));
        box->findChild<QPushButton *>(QStringLiteral("keepButton"))->click();
        QTRY_VERIFY2(m_window->statusText().contains(QStringLiteral("Already present: ") + renamed.username),
                     qPrintable(m_window->statusText()));
        QVERIFY(!m_window->statusText().contains(QStringLiteral("Imported")));
        QCOMPARE(m_service->account(alice.homeAccountId)->record().username, alice.username);

        m_window->importFrom(renamedFile);
        QTRY_VERIFY((box = visibleBox(QStringLiteral("replaceAccountsQuestion"))));
        box->findChild<QPushButton *>(QStringLiteral("replaceButton"))->click();
        QTRY_VERIFY2(
            m_window->statusText().contains(QStringLiteral("Replaced the record of ") + renamed.username),
            qPrintable(m_window->statusText()));
        QTRY_COMPARE(m_service->account(alice.homeAccountId)->record().username, renamed.username);
        QCOMPARE(m_service->accounts().size(), 2);
    }

    // Issue 14: a record may name any authority; instance discovery stays on unless the person trusts it.
    void importKeepsInstanceDiscoveryUnlessTheAuthorityIsTrusted()
    {
        QTemporaryDir files;
        freshProfile({});
        restartWithWindow();
        const AuthenticationRecord mallory =
            record(QStringLiteral("mallory@evil.example"), QStringLiteral("0000000e"),
                   QStringLiteral("https://login.evil.example"));
        m_window->importFrom(writeFile(files, QStringLiteral("evil.json"), {mallory}));
        QMessageBox *box = nullptr;
        QTRY_VERIFY((box = visibleBox(QStringLiteral("trustAuthorityQuestion"))));
        QVERIFY(box->text().contains(QStringLiteral("login.evil.example")));
        QCOMPARE(box->defaultButton(), box->findChild<QPushButton *>(QStringLiteral("keepCheckingButton")));
        box->findChild<QPushButton *>(QStringLiteral("keepCheckingButton"))->click();
        QTRY_VERIFY(m_service->account(mallory.homeAccountId).has_value());
        QVERIFY(!m_service->account(mallory.homeAccountId)->stored.metadata.disableInstanceDiscovery);

        const AuthenticationRecord carol =
            record(QStringLiteral("carol@contoso.test"), QStringLiteral("0000000c"),
                   QStringLiteral("https://idp.contoso.test:8443"));
        m_window->importFrom(writeFile(files, QStringLiteral("contoso.json"), {carol}));
        QTRY_VERIFY((box = visibleBox(QStringLiteral("trustAuthorityQuestion"))));
        QVERIFY(box->text().contains(QStringLiteral("idp.contoso.test:8443")));
        box->findChild<QPushButton *>(QStringLiteral("trustAuthorityButton"))->click();
        QTRY_VERIFY(m_service->account(carol.homeAccountId).has_value());
        QVERIFY(m_service->account(carol.homeAccountId)->stored.metadata.disableInstanceDiscovery);
        QVERIFY(!m_service->account(mallory.homeAccountId)->stored.metadata.disableInstanceDiscovery);

        // A Microsoft cloud needs no question.
        m_window->importFrom(
            writeFile(files, QStringLiteral("public.json"),
                      {record(QStringLiteral("dave@contoso.example"), QStringLiteral("0000000d"))}));
        QTRY_VERIFY(m_window->statusText().contains(QStringLiteral("Imported 1 account record")));
        QVERIFY(!visibleBox(QStringLiteral("trustAuthorityQuestion")));
    }

    // Issue 15, point 8: a verb on every token entry, the default account marked, the countdown.
    void trayMenuMarksTheDefaultAndCountsDown()
    {
        freshProfile({record(QStringLiteral("alice@contoso.example"), QStringLiteral("0000000a")),
                      record(QStringLiteral("bob@contoso.example"), QStringLiteral("0000000b"))});
        const QString bob =
            record(QStringLiteral("bob@contoso.example"), QStringLiteral("0000000b")).homeAccountId;
        const QFuture<VoidResult> made = m_service->setDefault(bob);
        QVERIFY(QTest::qWaitFor([&]() { return made.isFinished(); }, 30000));
        QTRY_VERIFY(m_service->defaultAccount() && m_service->defaultAccount()->id() == bob);

        SecretClipboard clipboard(QApplication::clipboard());
        DesktopController controller(m_service.get(), m_settings.get(), &clipboard);
        TrayIcon *tray = controller.tray();
        tray->rebuildMenu();
        QMenu *bobMenu = nullptr;
        QMenu *aliceMenu = nullptr;
        for (QAction *entry : tray->menu()->actions()) {
            if (entry->text().startsWith(QStringLiteral("bob@")))
                bobMenu = entry->menu();
            if (entry->text().startsWith(QStringLiteral("alice@")))
                aliceMenu = entry->menu();
        }
        QVERIFY(bobMenu && aliceMenu);
        QVERIFY2(bobMenu->title().endsWith(QStringLiteral("— default")), qPrintable(bobMenu->title()));
        QVERIFY(bobMenu->menuAction()->font().bold());
        QVERIFY2(!aliceMenu->title().contains(QStringLiteral("default")), qPrintable(aliceMenu->title()));
        QVERIFY(!aliceMenu->menuAction()->font().bold());
        QVERIFY(actionNamed(bobMenu, QStringLiteral("Copy token: Azure Resource Manager")));
        QVERIFY(actionNamed(bobMenu, QStringLiteral("Copy token: Microsoft Graph")));
        QVERIFY(actionNamed(bobMenu, QStringLiteral("Copy token for another scope")));
        QVERIFY(!actionNamed(tray->menu(), QStringLiteral("Clear the clipboard")));

        // A token waits on the clipboard: the menu, the tooltip and the window count down.
        clipboard.copySecret(QStringLiteral("eyJ.not-a-real-token"), std::chrono::seconds(60));
        QTRY_VERIFY(tray->clipboardCountdown() > 0);
        QVERIFY(tray->clipboardCountdown() <= 60);
        const QString left = QString::number(tray->clipboardCountdown());
        QVERIFY2(tray->toolTip().contains(QStringLiteral("cleared in ")), qPrintable(tray->toolTip()));
        auto *windowCountdown =
            controller.accountsWindow()->findChild<QLabel *>(QStringLiteral("clipboardCountdown"));
        QVERIFY(windowCountdown->isVisibleTo(controller.accountsWindow()));
        QVERIFY2(windowCountdown->text().contains(QStringLiteral(" s")), qPrintable(windowCountdown->text()));
        tray->rebuildMenu();
        QAction *clear = actionNamed(tray->menu(), QStringLiteral("Clear the clipboard now (cleared in "));
        QVERIFY(clear);
        tray->menu()->popup(QPoint(10, 10));
        QVERIFY(QTest::qWaitForWindowExposed(tray->menu()));
        tray->menu()->grab().save(QStringLiteral(AZID_SCREENSHOT_DIR "/azid-tray-menu.png"));
        tray->menu()->close();
        bobMenu = actionNamed(tray->menu(), QStringLiteral("bob@"))->menu();
        bobMenu->popup(QPoint(10, 10));
        QVERIFY(QTest::qWaitForWindowExposed(bobMenu));
        bobMenu->grab().save(QStringLiteral(AZID_SCREENSHOT_DIR "/azid-tray-account-menu.png"));
        bobMenu->close();

        // "Copy token for another scope…" names the account in plain text (issue 14).
        controller.askForScope(bob);
        QWidget *scopeDialog = nullptr;
        QTRY_VERIFY((scopeDialog = visibleTopLevel(QStringLiteral("otherScopeDialog"))));
        for (QLabel *label : scopeDialog->findChildren<QLabel *>())
            QCOMPARE(label->textFormat(), Qt::PlainText);
        scopeDialog->close();

        clear->trigger();
        QTRY_COMPARE(tray->clipboardCountdown(), -1);
        QVERIFY(!clipboard.holdsSecret());
        QVERIFY(!windowCountdown->isVisibleTo(controller.accountsWindow()));
        QVERIFY(!tray->toolTip().contains(QStringLiteral("cleared in ")));
        tray->rebuildMenu();
        QVERIFY(!actionNamed(tray->menu(), QStringLiteral("Clear the clipboard")));
    }

    // Issue 14: notifications never render a user name as markup.
    void notificationsAreNotMarkup()
    {
        const QString text =
            TrayIcon::notificationText(QStringLiteral("<a href=\"https://evil\">bob</a> &amp; co"));
        QVERIFY(!text.contains(QLatin1Char('<')));
        QVERIFY(!text.contains(QLatin1Char('>')));
        QVERIFY(!text.contains(QLatin1Char('&')));
        QVERIFY(text.contains(QStringLiteral("bob")));
    }

    // Issue 15, point 10: the main actions have icons, from the theme or Azid's own.
    void mainActionsHaveIcons()
    {
        freshProfile({});
        restartWithWindow(); // the window registers the icons' resource
        for (const char *name :
             {"list-add", "view-refresh", "edit-copy", "edit-find", "starred", "emblem-shared",
              "document-save-as", "document-open", "edit-delete", "preferences-system"}) {
            QVERIFY2(!QIcon(QStringLiteral(":/azid/icons/actions/%1.svg").arg(QString::fromLatin1(name)))
                          .pixmap(16, 16)
                          .isNull(),
                     name);
        }
    }
};

QTEST_MAIN(TestAccountsWindow)
#include "tst_accountswindow.moc"
