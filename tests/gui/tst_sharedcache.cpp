// "Share with Azure tools" (issue 4): an account's sign-ins and token refreshes made by the app go
// into azure.identity's shared token cache, where SharedTokenCacheCredential and other Microsoft
// tools look, and leave it when the switch is turned off. Against azid-sandbox over TLS and the real
// Secret Service (run-with-keyring.sh); the shared cache is read back the way another tool would, with
// a fresh SharedTokenCache that only reads.
#include "azid/keychain/memorysecretstore.h"
#include "azid/keychain/profilestorage.h"
#include "azid/keychain/sharedtokencache.h"
#include "azid/model/accountservice.h"
#include "azid/tokencache.h"
#include "azid/ui/accountsmodel.h"
#include "azid/ui/accountswindow.h"
#include "azid/ui/desktopcontroller.h"
#include "logcapture.h"
#include "sandbox.h"
#include "testwait.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QJsonDocument>
#include <QJsonObject>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>

using namespace azid;
using namespace azid::model;
using namespace azid::ui;

namespace {
const QString Arm = QStringLiteral("https://management.azure.com/.default");
const QString Graph = QStringLiteral("https://graph.microsoft.com/.default");
const QString CaeScope = QStringLiteral("https://cae.example/.default");
const QString Profile = QStringLiteral("gui-sharedcache");

template <typename T> QByteArray why(const azid::Result<T> &result)
{
    return result.ok() ? QByteArray() : result.error().toString().toUtf8();
}

// What the shared cache holds for one account, as a tool reading it would find it.
struct SharedView
{
    bool loaded = false;
    QString error;
    bool account = false;
    bool refreshToken = false;
    QStringList targets;    // of its access tokens in the cache without CAE
    QStringList caeTargets; // ... and in the CAE cache
};

void collect(const TokenCache &cache, const QString &homeAccountId, SharedView *view, QStringList *targets)
{
    const QJsonObject root = QJsonDocument::fromJson(cache.serialize()).object();
    const auto mine = [&](const QString &section) {
        QList<QJsonObject> entries;
        const QJsonObject all = root.value(section).toObject();
        for (auto it = all.begin(); it != all.end(); ++it) {
            if (it.value().toObject().value(QStringLiteral("home_account_id")).toString() == homeAccountId)
                entries << it.value().toObject();
        }
        return entries;
    };
    view->account = view->account || !mine(QStringLiteral("Account")).isEmpty();
    view->refreshToken = view->refreshToken || !mine(QStringLiteral("RefreshToken")).isEmpty();
    for (const QJsonObject &token : mine(QStringLiteral("AccessToken")))
        *targets << token.value(QStringLiteral("target")).toString();
}

SharedView readShared(const QString &homeAccountId)
{
    SharedTokenCache shared(TokenCachePersistenceOptions{}, SharedTokenCache::Access::Read);
    SharedView view;
    const VoidResult loaded = test::await(shared.load());
    view.loaded = loaded.ok();
    view.error = loaded.ok() ? QString() : loaded.error().toString();
    collect(*shared.cache(), homeAccountId, &view, &view.targets);
    collect(*shared.caeCache(), homeAccountId, &view, &view.caeTargets);
    return view;
}

bool containsScope(const QStringList &targets, const QString &scope)
{
    for (const QString &target : targets) {
        if (target.split(QLatin1Char(' ')).contains(scope, Qt::CaseInsensitive))
            return true;
    }
    return false;
}
} // namespace

class TestSharedCache : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_scratch;
    test::Sandbox m_sandbox;
    std::unique_ptr<AccountService> m_service;
    std::unique_ptr<AccountsModel> m_model;
    std::unique_ptr<QAbstractItemModelTester> m_tester;

    SignInRequest passwordRequest(const QString &user, bool share)
    {
        SignInRequest r;
        r.authority = m_sandbox.authority();
        r.disableInstanceDiscovery = true;
        r.method = SignInMethod::UsernamePassword;
        r.scopes = {Arm};
        r.username = user;
        r.loginHint = user;
        r.password = Secret::fromString(user.section(QLatin1Char('@'), 0, 0) + QStringLiteral("-password-1"));
        r.shareWithAzureTools = share;
        return r;
    }

    std::optional<StoredAccount> signIn(AccountService &service, const SignInRequest &request)
    {
        SignInOperation *operation = service.signIn(request, &service);
        if (!QTest::qWaitFor([operation]() { return !operation->isRunning(); }, 60000))
            return std::nullopt;
        if (operation->state() != SignInOperation::State::Succeeded) {
            qWarning("sign-in failed: %s", qPrintable(operation->error().toString()));
            return std::nullopt;
        }
        return operation->account();
    }

    std::optional<AccountEntry> byUser(const QString &user) const
    {
        for (const AccountEntry &entry : m_service->accounts()) {
            if (entry.record().username == user)
                return entry;
        }
        return std::nullopt;
    }

    // What a new process of the profile reads from the keychain.
    std::optional<AccountMetadata> storedMetadata(const QString &user)
    {
        ProfileStorage storage(Profile);
        const auto listed = test::await(storage.accounts().list());
        if (!listed.ok())
            return std::nullopt;
        for (const StoredAccount &account : listed.value()) {
            if (account.record.username == user)
                return account.metadata;
        }
        return std::nullopt;
    }

    // Waits for the shared cache to have been written for the account (shared or not).
    static bool waitForUpdate(QSignalSpy &spy, const QString &id, bool shared)
    {
        return QTest::qWaitFor(
            [&]() {
                for (const QList<QVariant> &call : std::as_const(spy)) {
                    if (call.value(0).toString() == id && call.value(1).toBool() == shared)
                        return true;
                }
                return false;
            },
            60000);
    }

private slots:
    void initTestCase()
    {
        QVERIFY2(qEnvironmentVariable("AZID_TEST_KEYRING") == QStringLiteral("unlocked"),
                 "run through run-with-keyring.sh (ctest does)");
        test::LogCapture::install();
        QVERIFY(m_scratch.isValid());
        QVERIFY2(m_sandbox.start(), qPrintable(m_sandbox.errorString()));
        // The shared cache can be read in this private keyring (it is empty).
        const SharedView empty = readShared(QStringLiteral("nobody"));
        QVERIFY2(empty.loaded, qPrintable(empty.error));

        m_service = std::make_unique<AccountService>(std::make_unique<ProfileStorage>(Profile));
        HttpOptions http;
        http.caBundleFile = m_sandbox.caFile();
        m_service->setHttpOptions(http);
        m_model = std::make_unique<AccountsModel>(m_service.get());
        m_tester = std::make_unique<QAbstractItemModelTester>(
            m_model.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy changed(m_service.get(), &AccountService::accountsChanged);
        m_service->reload();
        QVERIFY(changed.wait(30000));
        QVERIFY2(m_service->loadError().isEmpty(), qPrintable(m_service->loadError()));
        QVERIFY(m_service->canShareWithAzureTools());
        QVERIFY(m_service->shareWithAzureToolsUnavailableReason().isEmpty());
    }

    void cleanupTestCase()
    {
        m_tester.reset();
        m_model.reset();
        m_service.reset();
    }

    void theRecordKeepsTheSetting()
    {
        auto keychain = std::make_shared<MemorySecretStore>();
        AccountStore store(keychain);
        AuthenticationRecord record{QStringLiteral("127.0.0.1:8443"), QStringLiteral("client"),
                                    QStringLiteral("uid.utid"), QStringLiteral("utid"),
                                    QStringLiteral("old@contoso.test")};
        AccountMetadata metadata;
        metadata.signInMethod = QStringLiteral("password");
        QVERIFY(test::await(store.put(record, metadata)).ok());
        // Not shared: the item has no such field, exactly as records written before it existed.
        const QByteArray plain =
            keychain->items().value(AccountStore::accountKey(record.homeAccountId)).reveal();
        QVERIFY2(!plain.contains("shareWithAzureTools"), plain.constData());
        auto listed = test::await(store.list());
        QVERIFY(listed.ok());
        QCOMPARE(listed.value().size(), 1);
        QVERIFY(!listed.value().first().metadata.shareWithAzureTools);

        metadata.shareWithAzureTools = true;
        QVERIFY(test::await(store.put(record, metadata)).ok());
        const QByteArray shared =
            keychain->items().value(AccountStore::accountKey(record.homeAccountId)).reveal();
        QVERIFY2(
            QJsonDocument::fromJson(shared).object().value(QStringLiteral("shareWithAzureTools")).toBool(),
            shared.constData());
        listed = test::await(store.list());
        QVERIFY(listed.value().first().metadata.shareWithAzureTools);
        QCOMPARE(listed.value().first().metadata, metadata);
    }

    void signInWithTheSwitchOn()
    {
        QSignalSpy updated(m_service.get(), &AccountService::sharedCacheUpdated);
        QSignalSpy failed(m_service.get(), &AccountService::sharedCacheFailed);
        const auto alice = signIn(*m_service, passwordRequest(QStringLiteral("alice@contoso.test"), true));
        QVERIFY(alice);
        QVERIFY(alice->metadata.shareWithAzureTools);
        QVERIFY(waitForUpdate(updated, alice->record.homeAccountId, true));
        QCOMPARE(failed.count(), 0);

        const SharedView view = readShared(alice->record.homeAccountId);
        QVERIFY2(view.loaded, qPrintable(view.error));
        QVERIFY(view.account);
        QVERIFY(view.refreshToken);
        QVERIFY2(containsScope(view.targets, Arm), qPrintable(view.targets.join(QLatin1Char('|'))));

        // Kept with the account: a new process of the profile reads it from the keychain.
        const auto stored = storedMetadata(QStringLiteral("alice@contoso.test"));
        QVERIFY(stored);
        QVERIFY(stored->shareWithAzureTools);
        QCOMPARE(m_model->index(m_model->rowOf(alice->record.homeAccountId), AccountsModel::SharedColumn)
                     .data(Qt::CheckStateRole)
                     .toInt(),
                 int(Qt::Checked));
    }

    void aRefreshUpdatesIt()
    {
        const QString alice = byUser(QStringLiteral("alice@contoso.test"))->id();
        QVERIFY(!containsScope(readShared(alice).targets, Graph));
        QSignalSpy updated(m_service.get(), &AccountService::sharedCacheUpdated);
        m_sandbox.clearRequests();
        const TokenResult graph = test::await(m_service->token(alice, {Graph}));
        QVERIFY2(graph.ok(), why(graph).constData());
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token"), QStringLiteral("refresh_token")), 1);
        QVERIFY(waitForUpdate(updated, alice, true));
        const SharedView view = readShared(alice);
        QVERIFY2(containsScope(view.targets, Graph), qPrintable(view.targets.join(QLatin1Char('|'))));
        QVERIFY(containsScope(view.targets, Arm));
    }

    void anAccountNotSharedStaysOut()
    {
        QSignalSpy updated(m_service.get(), &AccountService::sharedCacheUpdated);
        const auto bob = signIn(*m_service, passwordRequest(QStringLiteral("bob@contoso.test"), false));
        QVERIFY(bob);
        QVERIFY(!bob->metadata.shareWithAzureTools);
        const TokenResult graph = test::await(m_service->token(bob->record.homeAccountId, {Graph}));
        QVERIFY2(graph.ok(), why(graph).constData());
        // A refresh of a shared account afterwards is written; bob is still not there.
        const QString alice = byUser(QStringLiteral("alice@contoso.test"))->id();
        QVERIFY(
            test::await(m_service->token(alice, {QStringLiteral("https://vault.azure.net/.default")})).ok());
        QVERIFY(waitForUpdate(updated, alice, true));
        for (const QList<QVariant> &call : std::as_const(updated))
            QVERIFY(call.value(0).toString() != bob->record.homeAccountId);
        const SharedView view = readShared(bob->record.homeAccountId);
        QVERIFY(view.loaded);
        QVERIFY(!view.account);
        QVERIFY(!view.refreshToken);
        QVERIFY(view.targets.isEmpty());
    }

    void switchingOffRemovesIt()
    {
        const QString alice = byUser(QStringLiteral("alice@contoso.test"))->id();
        QSignalSpy updated(m_service.get(), &AccountService::sharedCacheUpdated);
        const VoidResult off = test::await(m_service->setShareWithAzureTools(alice, false));
        QVERIFY2(off.ok(), why(off).constData());
        QVERIFY(waitForUpdate(updated, alice, false));
        const SharedView view = readShared(alice);
        QVERIFY2(view.loaded, qPrintable(view.error));
        QVERIFY(!view.account);
        QVERIFY(!view.refreshToken);
        QVERIFY2(view.targets.isEmpty(), qPrintable(view.targets.join(QLatin1Char('|'))));
        QVERIFY(!byUser(QStringLiteral("alice@contoso.test"))->stored.metadata.shareWithAzureTools);
        QVERIFY(!storedMetadata(QStringLiteral("alice@contoso.test"))->shareWithAzureTools);

        // Off means off: a refresh now stays in Azid's own cache.
        updated.clear();
        const TokenResult storage =
            test::await(m_service->token(alice, {QStringLiteral("https://storage.azure.com/.default")}));
        QVERIFY2(storage.ok(), why(storage).constData());
        // Changes of the shared cache run one after another: once one for bob queued now is done, one
        // for alice that the refresh might have queued would be done too.
        const QString bob = byUser(QStringLiteral("bob@contoso.test"))->id();
        QVERIFY(test::await(m_service->setShareWithAzureTools(bob, false)).ok());
        QVERIFY(waitForUpdate(updated, bob, false));
        for (const QList<QVariant> &call : std::as_const(updated))
            QCOMPARE(call.value(0).toString(), bob);
        QVERIFY(readShared(alice).targets.isEmpty());
        // Alice still signs in and gets tokens from Azid as before.
        QVERIFY(m_service->storage().cache()->findRefreshToken(
            alice, m_sandbox.url().host(), byUser(QStringLiteral("alice@contoso.test"))->record().clientId));
    }

    void theAccountsWindowSwitchesIt()
    {
        const AccountEntry alice = *byUser(QStringLiteral("alice@contoso.test"));
        // A token requested with CAE lives in the CAE cache; it is shared too.
        TokenResponseEntry cae;
        cae.clientId = alice.record().clientId;
        cae.environment = m_sandbox.url().host();
        cae.realm = alice.record().tenantId;
        cae.homeAccountId = alice.id();
        cae.scopes = {CaeScope};
        cae.accessToken = Secret::fromString(QStringLiteral("cae-access-token"));
        cae.now = QDateTime::currentSecsSinceEpoch();
        cae.expiresOn = cae.now + 3600;
        cae.extendedExpiresOn = cae.expiresOn;
        m_service->storage().caeCache()->add(cae);

        AccountsWindow window(m_service.get(), m_model.get(), nullptr);
        window.show();
        window.selectAccount(alice.id());
        QAction *share = window.shareAction();
        QVERIFY(share->isCheckable());
        QVERIFY(share->isEnabled());
        QVERIFY(!share->isChecked());
        QVERIFY(share->toolTip().contains(QStringLiteral("SharedTokenCacheCredential")));
        QWidget *button = window.findChild<QWidget *>(QStringLiteral("shareWithAzureToolsButton"));
        QVERIFY(button);
        QVERIFY(!button->accessibleName().isEmpty());

        QSignalSpy updated(m_service.get(), &AccountService::sharedCacheUpdated);
        share->trigger();
        QVERIFY(share->isChecked());
        QVERIFY(waitForUpdate(updated, alice.id(), true));
        SharedView view = readShared(alice.id());
        QVERIFY(view.account);
        QVERIFY(view.refreshToken);
        QVERIFY2(containsScope(view.caeTargets, CaeScope),
                 qPrintable(view.caeTargets.join(QLatin1Char('|'))));
        QVERIFY(containsScope(view.targets, Graph));
        QVERIFY(storedMetadata(QStringLiteral("alice@contoso.test"))->shareWithAzureTools);
        QTRY_VERIFY(window.statusText().contains(QStringLiteral("shared token cache")));

        // The column's check box does the same.
        const QModelIndex cell = m_model->index(m_model->rowOf(alice.id()), AccountsModel::SharedColumn);
        QVERIFY(m_model->flags(cell) & Qt::ItemIsUserCheckable);
        QCOMPARE(cell.data(Qt::CheckStateRole).toInt(), int(Qt::Checked));
        QCOMPARE(cell.data(Qt::AccessibleTextRole).toString(), QStringLiteral("Shared with Azure tools"));
        QVERIFY(m_model->setData(cell, Qt::Unchecked, Qt::CheckStateRole));
        QVERIFY(waitForUpdate(updated, alice.id(), false));
        QCOMPARE(cell.data(Qt::CheckStateRole).toInt(), int(Qt::Unchecked));
        QVERIFY(!share->isChecked());
        view = readShared(alice.id());
        QVERIFY(!view.account);
        QVERIFY(view.targets.isEmpty());
        QVERIFY(view.caeTargets.isEmpty());
        QVERIFY(!storedMetadata(QStringLiteral("alice@contoso.test"))->shareWithAzureTools);
    }

    void removingTheAccountTakesItOut()
    {
        const QString alice = byUser(QStringLiteral("alice@contoso.test"))->id();
        QSignalSpy updated(m_service.get(), &AccountService::sharedCacheUpdated);
        QVERIFY(test::await(m_service->setShareWithAzureTools(alice, true)).ok());
        QVERIFY(readShared(alice).refreshToken);
        updated.clear();
        QVERIFY(test::await(m_service->remove(alice)).ok());
        QVERIFY(waitForUpdate(updated, alice, false));
        QVERIFY(!readShared(alice).account);
        QVERIFY(!readShared(alice).refreshToken);
        QTRY_VERIFY(!byUser(QStringLiteral("alice@contoso.test")));
    }

    void failuresSayWhatToDo()
    {
        // The shared cache's lock file cannot be made: where its folder should be, there is a file.
        const QString notAFolder = m_scratch.filePath(QStringLiteral("not-a-folder"));
        QFile file(notAFolder);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.close();
        m_service->setSharedCacheDirectory(notAFolder);
        const auto restore = qScopeGuard([this]() { m_service->setSharedCacheDirectory(QString()); });

        DesktopController controller(m_service.get(), nullptr, nullptr);
        const QString bob = byUser(QStringLiteral("bob@contoso.test"))->id();
        QSignalSpy failed(m_service.get(), &AccountService::sharedCacheFailed);
        const VoidResult on = test::await(m_service->setShareWithAzureTools(bob, true));
        QVERIFY(!on.ok());
        QCOMPARE(failed.count(), 1);
        QCOMPARE(failed.first().value(0).toString(), bob);
        const QString message = failed.first().value(1).toString();
        QVERIFY2(message.contains(QStringLiteral("bob@contoso.test could not be shared")),
                 qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("off and on again")), qPrintable(message));
        // Shown, not only logged.
        QTRY_VERIFY(controller.tray()->lastMessage().contains(message));
    }

    void memoryOnlyDisablesTheSwitch()
    {
        ProfileStorage::Options options;
        options.memoryOnly = true;
        AccountService service(
            std::make_unique<ProfileStorage>(QStringLiteral("gui-sharedcache-memory"), options));
        HttpOptions http;
        http.caBundleFile = m_sandbox.caFile();
        service.setHttpOptions(http);
        QVERIFY(!service.canShareWithAzureTools());
        const QString reason = service.shareWithAzureToolsUnavailableReason();
        QVERIFY(reason.contains(QStringLiteral("memory-only")));

        // Asked for at sign-in, it is not taken.
        const auto alice = signIn(service, passwordRequest(QStringLiteral("alice@contoso.test"), true));
        QVERIFY(alice);
        QVERIFY(!alice->metadata.shareWithAzureTools);
        QVERIFY(!readShared(alice->record.homeAccountId).account);

        AccountsModel model(&service);
        AccountsWindow window(&service, &model, nullptr);
        window.show();
        window.selectAccount(alice->record.homeAccountId);
        QVERIFY(!window.shareAction()->isEnabled());
        QVERIFY2(window.shareAction()->toolTip().startsWith(reason),
                 qPrintable(window.shareAction()->toolTip()));
        const QModelIndex cell =
            model.index(model.rowOf(alice->record.homeAccountId), AccountsModel::SharedColumn);
        QVERIFY(!(model.flags(cell) & Qt::ItemIsUserCheckable));
        QCOMPARE(cell.data(Qt::ToolTipRole).toString(), reason);
        QVERIFY(!model.setData(cell, Qt::Checked, Qt::CheckStateRole));

        QSignalSpy failed(&service, &AccountService::sharedCacheFailed);
        QVERIFY(!test::await(service.setShareWithAzureTools(alice->record.homeAccountId, true)).ok());
        QCOMPARE(failed.count(), 1);
        QVERIFY(!readShared(alice->record.homeAccountId).account);
    }

    void noSecretInTheLogs()
    {
        for (const QString &secret :
             {QStringLiteral("alice-password-1"), QStringLiteral("eyJ"), QStringLiteral("cae-access-token")})
            QVERIFY2(test::LogCapture::find(secret).isEmpty(),
                     qPrintable(test::LogCapture::find(secret).join(QLatin1Char('\n'))));
    }
};

QTEST_MAIN(TestSharedCache)
#include "tst_sharedcache.moc"
