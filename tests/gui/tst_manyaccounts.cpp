// The tray app with many accounts (issue: costs that do not grow with the number of accounts): the
// menu shows the default and the recently used accounts first and the rest under their tenants, and
// the accounts window filters as one types. Over the in-memory keychain, offscreen. Screenshots of the
// menu and the window with 200 accounts go to this build folder (azid-200-accounts-*.png).
#include "azid/keychain/memorysecretstore.h"
#include "azid/keychain/profilestorage.h"
#include "azid/model/accountservice.h"
#include "azid/model/appsettings.h"
#include "azid/model/records.h"
#include "azid/ui/accountsmodel.h"
#include "azid/ui/accountswindow.h"
#include "azid/ui/trayicon.h"

#include <QApplication>
#include <QLineEdit>
#include <QMenu>
#include <QPixmap>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace azid;
using namespace azid::model;
using namespace azid::ui;

namespace {

QString tenant(int t)
{
    return QStringLiteral("%1-0000-4000-8000-000000000000").arg(t, 8, 10, QLatin1Char('0'));
}

// `count` accounts in `tenants` tenants: user<n>@tenant<t>.test, n % tenants = t.
QList<AuthenticationRecord> records(int count, int tenants)
{
    QList<AuthenticationRecord> all;
    for (int n = 0; n < count; ++n) {
        AuthenticationRecord r;
        r.authority = QStringLiteral("login.microsoftonline.com");
        r.clientId = QStringLiteral("04b07795-8ddb-461a-bbee-02f9e1bf7b46");
        r.tenantId = tenant(n % tenants);
        r.homeAccountId =
            QStringLiteral("%1-1111-4222-8333-444444444444.").arg(n, 8, 10, QLatin1Char('0')) + r.tenantId;
        r.username = QStringLiteral("user%1@tenant%2.test").arg(n).arg(n % tenants);
        all << r;
    }
    return all;
}

// Shows `widget` (a menu pops up), saves what it shows as `name` in the build folder, and closes it.
void screenshot(QWidget *widget, const char *name)
{
    if (auto *menu = qobject_cast<QMenu *>(widget))
        menu->popup(QPoint(10, 10));
    else
        widget->show();
    QVERIFY(QTest::qWaitForWindowExposed(widget));
    const QPixmap shown = widget->grab();
    QVERIFY(!shown.isNull() && shown.height() > 100);
    QVERIFY(shown.save(QStringLiteral(AZID_SCREENSHOT_DIR "/") + QLatin1String(name)));
    widget->close();
}

QList<QMenu *> submenus(QMenu *menu)
{
    QList<QMenu *> menus;
    for (QAction *action : menu->actions()) {
        if (action->menu())
            menus << action->menu();
    }
    return menus;
}

} // namespace

class TestManyAccounts : public QObject
{
    Q_OBJECT

    QTemporaryDir m_data;
    std::unique_ptr<AccountService> m_service;
    std::unique_ptr<AppSettings> m_settings;

    void load(int count, int tenants)
    {
        m_service = std::make_unique<AccountService>(std::make_unique<ProfileStorage>(
            QStringLiteral("many"), ProfileStorage::TokenPersistence::Encrypted,
            std::make_shared<MemorySecretStore>()));
        QSignalSpy changed(m_service.get(), &AccountService::accountsChanged);
        m_service->reload();
        QVERIFY(changed.wait(30000));
        const auto imported = QTest::qWaitFor(
            [future = m_service->importRecords(serializeRecords(records(count, tenants)))]() {
                return future.isFinished();
            },
            60000);
        QVERIFY(imported);
        QVERIFY(QTest::qWaitFor([this, count]() { return m_service->accounts().size() == count; }, 60000));
        m_settings = std::make_unique<AppSettings>(
            QStringLiteral("many"), m_data.filePath(QStringLiteral("many-%1.conf").arg(count)));
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_data.isValid());
        qputenv("XDG_DATA_HOME", m_data.path().toUtf8());
    }

    void fewAccountsEachAtTheTop()
    {
        load(5, 2);
        TrayIcon tray(m_service.get(), m_settings.get());
        tray.rebuildMenu();
        const QList<QMenu *> menus = submenus(tray.menu());
        // Five accounts and "Copy format".
        QCOMPARE(menus.size(), 6);
        QVERIFY(!tray.menu()->findChild<QMenu *>(QStringLiteral("allAccountsMenu")));
    }

    void manyAccountsGroupedByTenant()
    {
        load(200, 7);
        const QList<AccountEntry> accounts = m_service->accounts();
        QVERIFY(waitFor(m_service->setDefault(accounts.at(10).id())));
        QVERIFY(QTest::qWaitFor(
            [&]() {
                return m_service->defaultAccount() &&
                       m_service->defaultAccount()->id() == accounts.at(10).id();
            },
            30000));
        m_settings->addRecentAccount(accounts.at(42).id());
        m_settings->addRecentAccount(accounts.at(43).id());
        m_settings->setTenantName(tenant(3), QStringLiteral("Contoso"));

        TrayIcon tray(m_service.get(), m_settings.get());
        tray.rebuildMenu();
        QStringList top;
        for (QMenu *menu : submenus(tray.menu()))
            top << menu->title();
        // The default, the two recent ones (most recent first), "All accounts", "Copy format".
        QCOMPARE(top.size(), 5);
        QVERIFY2(top.at(0).startsWith(accounts.at(10).record().username), qPrintable(top.at(0)));
        QVERIFY2(top.at(1).startsWith(accounts.at(43).record().username), qPrintable(top.at(1)));
        QVERIFY2(top.at(2).startsWith(accounts.at(42).record().username), qPrintable(top.at(2)));

        QMenu *all = tray.menu()->findChild<QMenu *>(QStringLiteral("allAccountsMenu"));
        QVERIFY(all);
        QCOMPARE(all->title(), QStringLiteral("All accounts (200)"));
        const QList<QMenu *> tenants = submenus(all);
        QCOMPARE(tenants.size(), 7);
        // Named tenants by their name, the others by their id; sorted by what they show.
        QCOMPARE(tenants.last()->title(), QStringLiteral("Contoso (29)"));
        QCOMPARE(tenants.first()->title(), tenant(0) + QStringLiteral(" (29)"));
        // Filled when opened: each holds its tenant's accounts, with their token actions.
        QMenu *contoso = tenants.last();
        QVERIFY(contoso->actions().isEmpty());
        emit contoso->aboutToShow();
        const QList<QMenu *> people = submenus(contoso);
        QCOMPARE(people.size(), 29);
        for (QMenu *person : people)
            QVERIFY2(person->title().contains(QStringLiteral("@tenant3.test")), qPrintable(person->title()));
        QVERIFY(!people.first()->actions().isEmpty());
        emit contoso->aboutToShow(); // opened again: not filled twice
        QCOMPARE(submenus(contoso).size(), 29);
        screenshot(tray.menu(), "azid-200-accounts-menu.png");
        screenshot(all, "azid-200-accounts-tenants.png");
        screenshot(contoso, "azid-200-accounts-tenant.png");
    }

    void theWindowFiltersAsOneTypes()
    {
        load(200, 7);
        AccountsModel model(m_service.get());
        AccountsWindow window(m_service.get(), &model, m_settings.get());
        QTableView *view = window.view();
        QCOMPARE(view->model()->rowCount(), 200);
        window.resize(1100, 700);
        screenshot(&window, "azid-200-accounts-window.png");
        auto *filter = window.findChild<QLineEdit *>(QStringLiteral("accountsFilter"));
        QVERIFY(filter);
        QTest::keyClicks(filter, QStringLiteral("TENANT5.test"));
        QCOMPARE(view->model()->rowCount(), 28); // users 5, 12, ..., 194 (n % 7 == 5)
        view->selectRow(3);
        const QStringList selected = window.selectedAccountIds();
        QCOMPARE(selected.size(), 1);
        QVERIFY2(
            m_service->account(selected.first())->record().username.endsWith(QStringLiteral("@tenant5.test")),
            qPrintable(selected.first()));
        // By tenant id and by cloud (the authority column) too.
        filter->setText(tenant(2));
        QCOMPARE(view->model()->rowCount(), 29);
        filter->setText(QStringLiteral("user17@"));
        QCOMPARE(view->model()->rowCount(), 1);
        window.selectAccount(m_service->accounts().at(17).id());
        QCOMPARE(window.selectedAccountId(), m_service->accounts().at(17).id());
        filter->clear();
        QCOMPARE(view->model()->rowCount(), 200);
    }

private:
    static bool waitFor(const QFuture<VoidResult> &future)
    {
        return QTest::qWaitFor([future]() { return future.isFinished(); }, 30000) && future.result().ok();
    }
};

QTEST_MAIN(TestManyAccounts)
#include "tst_manyaccounts.moc"
