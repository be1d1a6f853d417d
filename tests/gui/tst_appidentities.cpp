// The tray app's service principals and developer tools, offscreen: the "Add service principal"
// dialog (accessible names, masked secret, problems shown only once the person typed, a certificate
// file read into the store) and the tray's "Service principals and tools" menu, whose "Copy token"
// entries put a real token on the clipboard: from azid-sandbox's client credentials grant for a
// service principal, from a stand-in `az` script for the Azure CLI.
#include "azid/keychain/memorysecretstore.h"
#include "azid/keychain/profilestorage.h"
#include "azid/keychain/storagefailure.h"
#include "azid/model/accountservice.h"
#include "azid/readyfuture.h"
#include "azid/ui/appidentitiesmenu.h"
#include "azid/ui/appidentitiespanel.h"
#include "azid/ui/desktopcontroller.h"
#include "azid/ui/secretclipboard.h"
#include "azid/ui/serviceprincipaldialog.h"

#include "sandbox.h"
#include "testwait.h"

#include <QApplication>
#include <QClipboard>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QTemporaryDir>
#include <QTreeWidget>
#include <QtTest>

using namespace azid;
using namespace azid::model;
using namespace azid::ui;
using azid::test::await;

namespace {
const QString Contoso = QStringLiteral("72f988bf-86f1-41af-91ab-2d7cd011db47");
const QString Daemon = QStringLiteral("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
const QString DaemonSecret = QStringLiteral("sandbox-client-secret-1");
const QString CliToken = QStringLiteral("standin-az-token-5e0c1d");

template <typename W> W *named(QWidget *root, const QString &name)
{
    for (W *widget : root->findChildren<W *>()) {
        if (widget->accessibleName() == name)
            return widget;
    }
    return nullptr;
}

QAction *find(QMenu *menu, const QString &text)
{
    for (QAction *action : menu->actions()) {
        if (action->text() == text)
            return action;
    }
    return nullptr;
}

// A keychain that is locked: every operation fails as the Secret Service's locked collection does.
class LockedStore final : public SecretStore
{
public:
    QFuture<SecretResult> read(const QString &) override { return ready(SecretResult(locked())); }
    QFuture<VoidResult> write(const QString &, const Secret &) override
    {
        return ready(VoidResult(locked()));
    }
    QFuture<VoidResult> remove(const QString &) override { return ready(VoidResult(locked())); }

private:
    static AuthError locked()
    {
        return storageError(StorageFailure::KeychainLocked, QStringLiteral("The keychain is locked."));
    }
};

ServicePrincipalSecret daemonSecret()
{
    ServicePrincipalSecret secret;
    secret.clientSecret = Secret::fromString(DaemonSecret);
    return secret;
}

// What the tray app puts together: service principals in a store, the tools, the clipboard, the menu.
struct Tray
{
    ServicePrincipals principals;
    DeveloperToolIdentities tools;
    SecretClipboard clipboard{QApplication::clipboard()};
    AppIdentitiesMenu menu{&principals, &tools, &clipboard};

    Tray(const ConfidentialClientOptions &options, const DeveloperToolOptions &toolOptions,
         std::shared_ptr<SecretStore> store = std::make_shared<MemorySecretStore>())
        : principals(std::move(store), options), tools(toolOptions)
    {}
    bool refresh()
    {
        QSignalSpy refreshed(&menu, &AppIdentitiesMenu::refreshed);
        menu.refresh();
        return refreshed.wait(60000);
    }
};
} // namespace

class TestAppIdentities : public QObject
{
    Q_OBJECT

private:
    test::Sandbox m_sandbox;
    QTemporaryDir m_dir;

    ConfidentialClientOptions sandboxOptions() const
    {
        ConfidentialClientOptions options;
        options.disableInstanceDiscovery = true;
        options.http.caBundleFile = m_sandbox.caFile();
        return options;
    }
    DeveloperToolOptions toolsOnPath() const
    {
        DeveloperToolOptions options;
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("PATH"),
                           m_dir.filePath(QStringLiteral("bin")) + QStringLiteral(":/usr/bin:/bin"));
        options.environment = environment;
        return options;
    }

    // The sandbox's daemon app with its secret, as "Daemon app".
    bool addDaemon(ServicePrincipals &principals) const
    {
        const ServicePrincipal daemon{{},     QStringLiteral("Daemon app"),  m_sandbox.authority(), Contoso,
                                      Daemon, ServicePrincipal::Kind::Secret};
        return await(principals.add(daemon, daemonSecret())).ok();
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY2(m_sandbox.start(), qPrintable(m_sandbox.errorString()));
        QVERIFY(QDir(m_dir.path()).mkpath(QStringLiteral("bin")));
        QFile az(m_dir.filePath(QStringLiteral("bin/az")));
        QVERIFY(az.open(QIODevice::WriteOnly));
        az.write(QStringLiteral("#!/bin/bash\necho '{\"accessToken\": \"%1\", \"expires_on\": 1893456000}'\n")
                     .arg(CliToken)
                     .toUtf8());
        az.close();
        QVERIFY(az.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
    }

    void dialogNamesAndValidation()
    {
        ServicePrincipals principals(std::make_shared<MemorySecretStore>(), sandboxOptions());
        ServicePrincipalDialog dialog(&principals);
        dialog.show();
        for (const QString &name :
             {QStringLiteral("Name"), QStringLiteral("Authority"), QStringLiteral("Tenant ID"),
              QStringLiteral("Client ID"), QStringLiteral("Client secret"),
              QStringLiteral("Certificate file"), QStringLiteral("Certificate password")}) {
            QLineEdit *edit = named<QLineEdit>(&dialog, name);
            QVERIFY2(edit, qPrintable(name));
            QVERIFY2(!edit->toolTip().isEmpty(), qPrintable(name));
        }
        QCOMPARE(named<QLineEdit>(&dialog, QStringLiteral("Client secret"))->echoMode(), QLineEdit::Password);
        QCOMPARE(named<QLineEdit>(&dialog, QStringLiteral("Certificate password"))->echoMode(),
                 QLineEdit::Password);
        QVERIFY(named<QPushButton>(&dialog, QStringLiteral("Choose certificate file")));
        QStringList names;
        for (const QWidget *widget : dialog.findChildren<QWidget *>()) {
            if (widget->isVisibleTo(&dialog) && !widget->accessibleName().isEmpty())
                names << widget->accessibleName();
        }
        QCOMPARE(QSet<QString>(names.begin(), names.end()).size(), names.size()); // no two share one
        // The whole dialog, frame included, on the screen.
        QVERIFY(dialog.screen()->availableGeometry().contains(dialog.frameGeometry()));
        // Nothing typed: no problem shown, but Add is not possible.
        QVERIFY(!dialog.problem().isEmpty());
        QVERIFY(dialog.shownProblem().isEmpty());
        QVERIFY(!dialog.addEnabled());
        // Typed: the problem shows.
        QTest::keyClicks(named<QLineEdit>(&dialog, QStringLiteral("Client ID")),
                         QStringLiteral("not-a-guid"));
        QVERIFY2(dialog.shownProblem().contains(QStringLiteral("tenant")), qPrintable(dialog.shownProblem()));
        QTest::keyClicks(named<QLineEdit>(&dialog, QStringLiteral("Tenant ID")), Contoso);
        QVERIFY2(dialog.shownProblem().contains(QStringLiteral("GUID")), qPrintable(dialog.shownProblem()));
        named<QLineEdit>(&dialog, QStringLiteral("Client ID"))->clear();
        QTest::keyClicks(named<QLineEdit>(&dialog, QStringLiteral("Client ID")), Daemon);
        QVERIFY(dialog.shownProblem().contains(QStringLiteral("secret")));
        QTest::keyClicks(named<QLineEdit>(&dialog, QStringLiteral("Authority")),
                         QStringLiteral("http://x.test"));
        QVERIFY(dialog.shownProblem().contains(QStringLiteral("https")));
        named<QLineEdit>(&dialog, QStringLiteral("Authority"))->clear();
        QTest::keyClicks(named<QLineEdit>(&dialog, QStringLiteral("Authority")), m_sandbox.authority());
        QTest::keyClicks(named<QLineEdit>(&dialog, QStringLiteral("Client secret")), DaemonSecret);
        QVERIFY2(dialog.shownProblem().isEmpty(), qPrintable(dialog.shownProblem()));
        QVERIFY(dialog.addEnabled());

        // Added: stored, and the dialog accepted.
        QSignalSpy added(&dialog, &ServicePrincipalDialog::added);
        dialog.add();
        QVERIFY(added.wait(60000));
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
        const auto listed = await(principals.list());
        QVERIFY(listed.ok());
        QCOMPARE(listed.value().size(), 1);
        QCOMPARE(listed.value().at(0).clientId, Daemon);
    }

    // A certificate file that is not one: the library's error shows in the dialog, nothing is stored.
    void certificateErrorShown()
    {
        ServicePrincipals principals(std::make_shared<MemorySecretStore>(), sandboxOptions());
        ServicePrincipalDialog dialog(&principals);
        dialog.show();
        const QString bogus = m_dir.filePath(QStringLiteral("bogus.pem"));
        QFile file(bogus);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("not a certificate\n");
        file.close();
        QTest::keyClicks(named<QLineEdit>(&dialog, QStringLiteral("Tenant ID")), Contoso);
        QTest::keyClicks(named<QLineEdit>(&dialog, QStringLiteral("Client ID")), Daemon);
        dialog.findChildren<QRadioButton *>().at(1)->click();
        QTest::keyClicks(named<QLineEdit>(&dialog, QStringLiteral("Certificate file")), bogus);
        QVERIFY(dialog.addEnabled());
        dialog.add();
        QVERIFY(QTest::qWaitFor([&dialog] { return dialog.isEnabled(); }, 30000));
        QCOMPARE(dialog.result(), int(QDialog::Rejected));
        QVERIFY(dialog.isVisible());
        QVERIFY(await(principals.list()).value().isEmpty());
    }

    void trayMenuCopiesTokens()
    {
        Tray tray(sandboxOptions(), toolsOnPath());
        QVERIFY(addDaemon(tray.principals));
        AppIdentitiesMenu &menu = tray.menu;
        SecretClipboard &clipboard = tray.clipboard;
        QVERIFY(tray.refresh());
        QCOMPARE(menu.title(), QStringLiteral("Service principals and tools"));
        QVERIFY(find(&menu, QStringLiteral("Add service principal…")));
        QVERIFY(find(&menu, QStringLiteral("Azure Developer CLI — not installed")));
        QVERIFY(!find(&menu, QStringLiteral("Azure Developer CLI — not installed"))->isEnabled());

        QSignalSpy copied(&menu, &AppIdentitiesMenu::tokenCopied);
        QAction *daemon = find(&menu, QStringLiteral("Daemon app"));
        QVERIFY(daemon && daemon->menu());
        QAction *arm = find(daemon->menu(), QStringLiteral("Copy token: Azure Resource Manager"));
        QVERIFY(arm);
        arm->trigger();
        QVERIFY(copied.wait(60000));
        QVERIFY(clipboard.holdsSecret());
        QCOMPARE(QApplication::clipboard()->text().count(QLatin1Char('.')), 2); // the sandbox's JWT

        QAction *cli = find(&menu, QStringLiteral("Azure CLI"));
        QVERIFY(cli && cli->menu());
        find(cli->menu(), QStringLiteral("Copy token: Microsoft Graph"))->trigger();
        QVERIFY(copied.wait(60000));
        QCOMPARE(QApplication::clipboard()->text(), CliToken);
        clipboard.clearNow();
    }

    // The accounts window's panel: what the menu found, and Copy token for the selected row.
    void panelListsAndCopies()
    {
        Tray tray(sandboxOptions(), toolsOnPath());
        QVERIFY(addDaemon(tray.principals));
        AppIdentitiesMenu &menu = tray.menu;
        SecretClipboard &clipboard = tray.clipboard;
        AppIdentitiesPanel panel(&menu);
        QVERIFY(tray.refresh());
        QTreeWidget *list = panel.list();
        QCOMPARE(list->topLevelItemCount(), 4); // the service principal and three tools
        QCOMPARE(list->topLevelItem(0)->text(0), QStringLiteral("Daemon app"));
        QCOMPARE(list->topLevelItem(0)->text(2), Daemon);
        QCOMPARE(list->topLevelItem(1)->text(4), QStringLiteral("Signed in"));
        QCOMPARE(list->topLevelItem(2)->text(4), QStringLiteral("Not installed"));
        QPushButton *copy = nullptr;
        for (QPushButton *button : panel.findChildren<QPushButton *>()) {
            if (button->text() == QStringLiteral("Copy token: Azure Resource Manager"))
                copy = button;
        }
        QVERIFY(copy);
        QVERIFY(!copy->isEnabled());
        list->setCurrentItem(list->topLevelItem(2));
        QVERIFY(!copy->isEnabled()); // a tool that is not installed
        list->setCurrentItem(list->topLevelItem(1));
        QVERIFY(copy->isEnabled());
        QSignalSpy copied(&menu, &AppIdentitiesMenu::tokenCopied);
        copy->click();
        QVERIFY(copied.wait(60000));
        QCOMPARE(QApplication::clipboard()->text(), CliToken);
        clipboard.clearNow();
    }

    // A locked keychain shows as such in the menu, not as no service principals.
    void lockedKeychainShown()
    {
        Tray tray(sandboxOptions(), toolsOnPath(), std::make_shared<LockedStore>());
        QVERIFY(tray.refresh());
        AppIdentitiesMenu &menu = tray.menu;
        QAction *error = find(&menu, QStringLiteral("Cannot read the keychain"));
        QVERIFY(error);
        QVERIFY(!error->isEnabled());
        QVERIFY2(error->toolTip().contains(QStringLiteral("locked")), qPrintable(error->toolTip()));
    }

    // The tray app puts them together: the profile's keychain store, the tray menu's "Service
    // principals and tools" after the accounts, and the panel in the accounts window.
    void desktopControllerShowsThem()
    {
        auto store = std::make_shared<MemorySecretStore>();
        {
            ServicePrincipals principals(store);
            QVERIFY(addDaemon(principals));
        }
        AccountService service(std::make_unique<ProfileStorage>(
            QStringLiteral("apps"), ProfileStorage::TokenPersistence::MemoryOnly, store));
        AppSettings settings(QStringLiteral("apps"), m_dir.filePath(QStringLiteral("apps.conf")));
        SecretClipboard clipboard(QApplication::clipboard());
        DesktopController controller(&service, &settings, &clipboard);
        QVERIFY(controller.appIdentities());
        QSignalSpy refreshed(controller.appIdentities()->menu(), &AppIdentitiesMenu::refreshed);
        QVERIFY(refreshed.wait(60000));
        controller.tray()->rebuildMenu();
        QAction *entry = find(controller.tray()->menu(), QStringLiteral("Service principals and tools"));
        QVERIFY(entry && entry->menu());
        QVERIFY(find(entry->menu(), QStringLiteral("Daemon app")));
        auto *panel = controller.accountsWindow()->findChild<AppIdentitiesPanel *>();
        QVERIFY(panel);
        QCOMPARE(panel->list()->topLevelItem(0)->text(0), QStringLiteral("Daemon app"));
    }
};

QTEST_MAIN(TestAppIdentities)
#include "tst_appidentities.moc"
