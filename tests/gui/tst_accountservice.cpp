// AccountService, the model layer of the app, against azid-sandbox over TLS with a keychain in
// memory: sign-ins by password, device code and browser, silent tokens, a sign-in that becomes
// necessary, removal, default, import and export; the accounts model watched by
// QAbstractItemModelTester all along; and the storage seen the way azid-cli sees it.
#include "azid/keychain/memorysecretstore.h"
#include "azid/keychain/profilestorage.h"
#include "azid/keychain/storagefailure.h"
#include "azid/model/accountservice.h"
#include "azid/model/appsettings.h"
#include "azid/model/errortext.h"
#include "azid/model/records.h"
#include "azid/tokencache.h"
#include "azid/ui/accountsmodel.h"
#include "azid/ui/accountswindow.h"
#include "fakeclock.h"
#include "logcapture.h"
#include "sandbox.h"
#include "standinbrowser.h"
#include "testwait.h"

#include <QAbstractItemModelTester>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>

using namespace azid;
using namespace azid::model;
using namespace azid::ui;

namespace {
const QString Arm = QStringLiteral("https://management.azure.com/.default");
const QString Graph = QStringLiteral("https://graph.microsoft.com/.default");
const QString Profile = QStringLiteral("gui-service");
// The error of a result, for test messages (QVERIFY2 evaluates its message even on success).
template <typename T> QByteArray why(const azid::Result<T> &result)
{
    return result.ok() ? QByteArray() : result.error().toString().toUtf8();
}
} // namespace

class TestAccountService : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_data;
    test::Sandbox m_sandbox;
    std::shared_ptr<MemorySecretStore> m_keychain = std::make_shared<MemorySecretStore>();
    std::unique_ptr<AccountService> m_service;
    std::unique_ptr<AccountsModel> m_model;
    std::unique_ptr<QAbstractItemModelTester> m_tester;
    test::StandInBrowser m_browser{&m_sandbox};

    SignInRequest request(SignInMethod method, const QString &user = {})
    {
        SignInRequest r;
        r.authority = m_sandbox.authority();
        r.disableInstanceDiscovery = true;
        r.method = method;
        r.scopes = {Arm};
        r.loginHint = user;
        if (method == SignInMethod::UsernamePassword) {
            r.username = user;
            r.password =
                Secret::fromString(user.section(QLatin1Char('@'), 0, 0) + QStringLiteral("-password-1"));
        }
        return r;
    }

    // Runs a sign-in to its end; device codes are approved for `user` through the control API.
    SignInOperation::State signIn(const SignInRequest &r, SignInOperation **out = nullptr)
    {
        SignInOperation *operation = m_service->signIn(r, m_service.get());
        if (out)
            *out = operation;
        if (r.method == SignInMethod::DeviceCode) {
            if (!QTest::qWaitFor([operation]() { return operation->deviceCode() || !operation->isRunning(); },
                                 30000))
                return SignInOperation::State::Running;
            if (operation->deviceCode()) {
                m_sandbox.control("POST", QStringLiteral("device/approve"),
                                  QJsonDocument(QJsonObject{
                                      {QStringLiteral("user_code"), operation->deviceCode()->userCode},
                                      {QStringLiteral("username"), r.loginHint}}));
            }
        }
        if (!QTest::qWaitFor([operation]() { return !operation->isRunning(); }, 60000))
            return SignInOperation::State::Running;
        return operation->state();
    }

    std::optional<AccountEntry> byUser(const QString &user) const
    {
        for (const AccountEntry &entry : m_service->accounts()) {
            if (entry.record().username == user)
                return entry;
        }
        return std::nullopt;
    }

    void reloadAndWait()
    {
        QSignalSpy changed(m_service.get(), &AccountService::accountsChanged);
        m_service->reload();
        QVERIFY(changed.wait(30000));
    }

private slots:
    void initTestCase()
    {
        test::LogCapture::install();
        QVERIFY(m_data.isValid());
        qputenv("XDG_DATA_HOME", m_data.path().toUtf8());
        QVERIFY2(m_sandbox.start({QStringLiteral("--auto-approve"), QStringLiteral("--device-interval"),
                                  QStringLiteral("1")}),
                 qPrintable(m_sandbox.errorString()));
        m_service = std::make_unique<AccountService>(std::make_unique<ProfileStorage>(
            Profile, ProfileStorage::TokenPersistence::Encrypted, m_keychain));
        HttpOptions http;
        http.caBundleFile = m_sandbox.caFile();
        m_service->setHttpOptions(http);
        m_service->setBrowserOpener(m_browser.opener());
        m_model = std::make_unique<AccountsModel>(m_service.get());
        m_tester = std::make_unique<QAbstractItemModelTester>(
            m_model.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        reloadAndWait();
        QVERIFY(m_service->isLoaded());
        QVERIFY2(m_service->loadError().isEmpty(), qPrintable(m_service->loadError()));
        QCOMPARE(m_service->accounts().size(), 0);
    }

    void cleanupTestCase()
    {
        m_tester.reset();
        m_model.reset();
        m_service.reset();
    }

    void passwordSignIn()
    {
        SignInOperation *operation = nullptr;
        QSignalSpy statuses(m_service.get(), &AccountService::accountsChanged);
        QCOMPARE(
            signIn(request(SignInMethod::UsernamePassword, QStringLiteral("alice@contoso.test")), &operation),
            SignInOperation::State::Succeeded);
        QVERIFY(operation->request().password.isEmpty());
        QCOMPARE(operation->account()->record.username, QStringLiteral("alice@contoso.test"));
        const auto alice = byUser(QStringLiteral("alice@contoso.test"));
        QVERIFY(alice);
        QVERIFY(alice->stored.metadata.isDefault); // the first account
        QCOMPARE(alice->stored.metadata.signInMethod, QStringLiteral("password"));
        QCOMPARE(alice->stored.metadata.authorityUrl, m_sandbox.authority());
        QCOMPARE(alice->stored.metadata.caBundle, m_sandbox.caFile());
        QVERIFY(alice->stored.metadata.disableInstanceDiscovery);
        QCOMPARE(alice->displayName, QStringLiteral("Alice Example"));
        QVERIFY(alice->tokens.hasRefreshToken);
        QVERIFY(alice->tokens.validUntil > QDateTime::currentSecsSinceEpoch() + 3000);
        QVERIFY(alice->tokens.validScopes.contains(Arm));
        QVERIFY(!alice->needsSignIn(QDateTime::currentSecsSinceEpoch()));
        QCOMPARE(m_model->rowCount(), 1);
        QVERIFY(m_service->accountsNeedingSignIn().isEmpty());
    }

    void tokensAreSilent()
    {
        const QString alice = byUser(QStringLiteral("alice@contoso.test"))->id();
        QSignalSpy pending(m_service.get(), &AccountService::pendingRequestsChanged);
        const TokenResult first = test::await(m_service->token(alice, {Arm}));
        QVERIFY2(first.ok(), why(first).constData());
        QVERIFY(pending.count() >= 2);
        QCOMPARE(m_service->pendingRequests(), 0);
        m_sandbox.clearRequests();
        const TokenResult arm = test::await(m_service->token(alice, {Arm}));
        QVERIFY2(arm.ok(), why(arm).constData());
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token")), 0); // from the cache
        QCOMPARE(arm.value().token, first.value().token);

        const TokenResult graph = test::await(m_service->token(alice, {Graph}));
        QVERIFY2(graph.ok(), why(graph).constData());
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token"), QStringLiteral("refresh_token")), 1);
        QVERIFY(!(graph.value().token == arm.value().token));
        QVERIFY(byUser(QStringLiteral("alice@contoso.test"))->tokens.validScopes.contains(Graph));
    }

    void theCliSeesTheSameStorage()
    {
        // What azid-cli assembles for the same profile: the same records and the same token cache.
        ProfileStorage cli(Profile, ProfileStorage::TokenPersistence::Encrypted, m_keychain);
        const auto listed = test::await(cli.accounts().list());
        QVERIFY(listed.ok());
        QCOMPARE(listed.value().size(), 1);
        QCOMPARE(listed.value().first().record.username, QStringLiteral("alice@contoso.test"));
        const VoidResult loaded = test::await(cli.loadCaches());
        QVERIFY2(loaded.ok(), why(loaded).constData());
        const AuthenticationRecord &record = listed.value().first().record;
        QVERIFY(cli.cache()->findRefreshToken(record.homeAccountId, m_sandbox.url().host(), record.clientId));
        QVERIFY(cli.cacheFilePaths().first().startsWith(m_data.path()));
        QVERIFY(
            cli.cacheFilePaths().first().endsWith(QStringLiteral("/azid/gui-service/azid.cache.nocae.bin")));
        QVERIFY(QFile::exists(cli.cacheFilePaths().first()));
    }

    void passwordAndMfa()
    {
        SignInOperation *operation = nullptr;
        QCOMPARE(
            signIn(request(SignInMethod::UsernamePassword, QStringLiteral("mfa@contoso.test")), &operation),
            SignInOperation::State::Failed);
        const AuthError error = operation->error();
        QVERIFY2(error.hasCode(50076), qPrintable(error.toString()));
        QVERIFY(!error.correlationId.isEmpty());
        QVERIFY(nextStep(error).contains(QStringLiteral("browser")));
        QVERIFY(errorDetails(error).contains(QStringLiteral("AADSTS50076")));
        QVERIFY(!errorDetails(error).contains(QStringLiteral("mfa-password-1")));
        QVERIFY(!byUser(QStringLiteral("mfa@contoso.test")));
    }

    void browserSignIn()
    {
        SignInOperation *operation = nullptr;
        QCOMPARE(signIn(request(SignInMethod::SystemBrowser, QStringLiteral("mfa@contoso.test")), &operation),
                 SignInOperation::State::Succeeded);
        QVERIFY(operation->browserOpened());
        QCOMPARE(operation->browserUrl().host(), QStringLiteral("127.0.0.1"));
        QVERIFY(operation->browserUrl().query().contains(QStringLiteral("code_challenge_method=S256")));
        const auto mfa = byUser(QStringLiteral("mfa@contoso.test"));
        QVERIFY(mfa);
        QCOMPARE(mfa->stored.metadata.signInMethod, QStringLiteral("browser"));
        QVERIFY(!mfa->stored.metadata.isDefault);
        QVERIFY(byUser(QStringLiteral("alice@contoso.test"))->stored.metadata.isDefault);
    }

    void deviceCodeSignIn()
    {
        SignInOperation *operation = nullptr;
        QCOMPARE(signIn(request(SignInMethod::DeviceCode, QStringLiteral("bob@contoso.test")), &operation),
                 SignInOperation::State::Succeeded);
        QVERIFY(operation->deviceCode());
        QVERIFY(!operation->deviceCode()->userCode.isEmpty());
        QVERIFY(operation->deviceCode()->expiresOn > QDateTime::currentDateTimeUtc());
        const auto bob = byUser(QStringLiteral("bob@contoso.test"));
        QVERIFY(bob);
        QCOMPARE(bob->stored.metadata.signInMethod, QStringLiteral("device-code"));
        QCOMPARE(m_model->rowCount(), 3);
    }

    void cancelledSignInLeavesNothing()
    {
        SignInOperation *operation = m_service->signIn(
            request(SignInMethod::DeviceCode, QStringLiteral("enrol@contoso.test")), m_service.get());
        QVERIFY(QTest::qWaitFor([operation]() { return operation->deviceCode().has_value(); }, 30000));
        const QString code = operation->deviceCode()->userCode;
        operation->cancel();
        QCOMPARE(operation->state(), SignInOperation::State::Cancelled);
        m_sandbox.control(
            "POST", QStringLiteral("device/approve"),
            QJsonDocument(QJsonObject{{QStringLiteral("user_code"), code},
                                      {QStringLiteral("username"), QStringLiteral("enrol@contoso.test")}}));
        reloadAndWait();
        QVERIFY(!byUser(QStringLiteral("enrol@contoso.test")));
        QCOMPARE(operation->state(), SignInOperation::State::Cancelled);
    }

    void embeddedBrowserWithoutItsHelper()
    {
        m_service->setEmbeddedBrowser(EmbeddedBrowser(m_data.filePath(QStringLiteral("no-such-helper"))));
        SignInOperation *operation = nullptr;
        QCOMPARE(signIn(request(SignInMethod::EmbeddedBrowser), &operation), SignInOperation::State::Failed);
        QVERIFY(operation->error().message.contains(QStringLiteral("not installed")));
    }

    void aSignInBecomesNecessary()
    {
        const QString alice = byUser(QStringLiteral("alice@contoso.test"))->id();
        // Two hours on, every access token has expired and the refresh token was revoked meanwhile.
        test::FakeClock later;
        later.advance(7200);
        m_service->setClock(&later);
        const auto restore = qScopeGuard([this]() { m_service->setClock(nullptr); });
        m_sandbox.control(
            "POST", QStringLiteral("revoke"),
            QJsonDocument(QJsonObject{{QStringLiteral("username"), QStringLiteral("alice@contoso.test")}}));
        const TokenResult result = test::await(m_service->token(alice, {Arm}));
        QVERIFY(!result.ok());
        QCOMPARE(result.error().kind, ErrorKind::AuthenticationRequired);
        const auto entry = byUser(QStringLiteral("alice@contoso.test"));
        QVERIFY(!entry->attention.isEmpty());
        QVERIFY(entry->needsSignIn(later.now()));
        QCOMPARE(m_service->accountsNeedingSignIn().size(), 1);
        QCOMPARE(m_model->index(m_model->rowOf(alice), 0).data(AccountsModel::NeedsSignInRole).toBool(),
                 true);

        // Signing in again clears it.
        SignInRequest again = request(SignInMethod::UsernamePassword, QStringLiteral("alice@contoso.test"));
        again.accountId = alice;
        QCOMPARE(signIn(again), SignInOperation::State::Succeeded);
        QVERIFY(byUser(QStringLiteral("alice@contoso.test"))->attention.isEmpty());
        QVERIFY(m_service->accountsNeedingSignIn().isEmpty());
        const TokenResult fresh = test::await(m_service->token(alice, {Arm}));
        QVERIFY2(fresh.ok(), why(fresh).constData());
    }

    void setDefault()
    {
        const QString bob = byUser(QStringLiteral("bob@contoso.test"))->id();
        QVERIFY(test::await(m_service->setDefault(bob)).ok());
        QTRY_VERIFY(byUser(QStringLiteral("bob@contoso.test"))->stored.metadata.isDefault);
        QVERIFY(!byUser(QStringLiteral("alice@contoso.test"))->stored.metadata.isDefault);
        QCOMPARE(m_service->defaultAccount()->id(), bob);
    }

    // The accounts window's export: a file only its owner can read (records name accounts and tenants).
    void windowExportIsOwnerOnly()
    {
        AppSettings settings(QStringLiteral("gui-service-window"));
        AccountsWindow window(m_service.get(), m_model.get(), &settings);
        auto *view = window.findChild<QTableView *>(QStringLiteral("accountsView"));
        QVERIFY(view && m_model->rowCount() > 0);
        view->selectRow(0);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("records.json"));
        const VoidResult exported = window.exportTo(path);
        QVERIFY2(exported.ok(), qPrintable(exported.ok() ? QString() : exported.error().message));
        QCOMPARE(QFile(path).permissions() & ~(QFileDevice::ReadUser | QFileDevice::WriteUser),
                 QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        QVERIFY(QFile(path).size() > 0);
    }

    void exportAndImport()
    {
        const AuthenticationRecord alice = byUser(QStringLiteral("alice@contoso.test"))->record();
        const QByteArray one = serializeRecords({alice});
        QCOMPARE(AuthenticationRecord::deserialize(QString::fromUtf8(one)).value(), alice);
        const QByteArray two =
            serializeRecords({alice, byUser(QStringLiteral("bob@contoso.test"))->record()});
        QCOMPARE(QJsonDocument::fromJson(two).array().size(), 2);

        AuthenticationRecord zed = alice;
        zed.username = QStringLiteral("zed@contoso.test");
        zed.homeAccountId =
            QStringLiteral("00000000-0000-0000-0000-00000000000a.72f988bf-86f1-41af-91ab-2d7cd011db47");
        const QByteArray file = "[" + zed.serialize().toUtf8() + ", " + alice.serialize().toUtf8() + "]";
        const Result<int> imported = test::await(m_service->importRecords(file));
        QVERIFY2(imported.ok(), why(imported).constData());
        QCOMPARE(imported.value(), 2);
        QTRY_VERIFY(byUser(QStringLiteral("zed@contoso.test")));
        const auto z = byUser(QStringLiteral("zed@contoso.test"));
        QCOMPARE(z->stored.metadata.signInMethod, QStringLiteral("imported"));
        QVERIFY(z->needsSignIn(QDateTime::currentSecsSinceEpoch())); // no tokens yet
        // An account already here keeps what it knew.
        QCOMPARE(byUser(QStringLiteral("alice@contoso.test"))->stored.metadata.signInMethod,
                 QStringLiteral("password"));

        QVERIFY(!test::await(m_service->importRecords("not json")).ok());
        QVERIFY(!test::await(m_service->importRecords("{\"username\": \"x\"}")).ok());
    }

    void removeTakesTokensAndRecord()
    {
        const AuthenticationRecord bob = byUser(QStringLiteral("bob@contoso.test"))->record();
        const qsizetype before = m_service->accounts().size();
        const VoidResult removed = test::await(m_service->remove(bob.homeAccountId));
        QVERIFY2(removed.ok(), why(removed).constData());
        QTRY_COMPARE(m_service->accounts().size(), before - 1);
        QVERIFY(!byUser(QStringLiteral("bob@contoso.test")));
        QCOMPARE(m_model->rowOf(bob.homeAccountId), -1);
        QVERIFY(!m_service->storage().cache()->findRefreshToken(bob.homeAccountId, m_sandbox.url().host(),
                                                                bob.clientId));

        ProfileStorage cli(Profile, ProfileStorage::TokenPersistence::Encrypted, m_keychain);
        QVERIFY(test::await(cli.loadCaches()).ok());
        QVERIFY(!cli.cache()->findRefreshToken(bob.homeAccountId, m_sandbox.url().host(), bob.clientId));
        const auto listed = test::await(cli.accounts().list());
        for (const StoredAccount &account : listed.value())
            QVERIFY(account.record.username != QStringLiteral("bob@contoso.test"));
        QVERIFY(!m_keychain->items().contains(AccountStore::accountKey(bob.homeAccountId)));
        QVERIFY(test::await(m_service->token(bob.homeAccountId, {Arm}))
                    .error()
                    .message.contains(QStringLiteral("not signed in")));
    }

    void noSecretInTheLogs()
    {
        // Passwords of every sign-in above, and any token (a JWT starts with eyJ), never reach a log.
        for (const QString &secret :
             {QStringLiteral("alice-password-1"), QStringLiteral("mfa-password-1"), QStringLiteral("eyJ")})
            QVERIFY2(test::LogCapture::find(secret).isEmpty(),
                     qPrintable(test::LogCapture::find(secret).join(QLatin1Char('\n'))));
        QVERIFY(!test::LogCapture::messages().isEmpty());
    }

    void memoryOnlyWritesNoCacheFile()
    {
        const QString profile = QStringLiteral("gui-memory");
        auto keychain = std::make_shared<MemorySecretStore>();
        AccountService service(std::make_unique<ProfileStorage>(
            profile, ProfileStorage::TokenPersistence::MemoryOnly, keychain));
        HttpOptions http;
        http.caBundleFile = m_sandbox.caFile();
        service.setHttpOptions(http);
        SignInOperation *operation = service.signIn(
            request(SignInMethod::UsernamePassword, QStringLiteral("alice@contoso.test")), &service);
        QVERIFY(QTest::qWaitFor([operation]() { return !operation->isRunning(); }, 60000));
        QCOMPARE(operation->state(), SignInOperation::State::Succeeded);
        QVERIFY(!QFile::exists(service.storage().cacheFilePaths().first()));
        // No key was made for a cache file either; the record is kept.
        for (const QString &key : keychain->items().keys())
            QVERIFY2(!key.startsWith(QStringLiteral("cache-key:")), qPrintable(key));
        QVERIFY(
            keychain->items().contains(AccountStore::accountKey(operation->account()->record.homeAccountId)));
    }

    // A locked keychain is a state, not an empty list: what was loaded stays, a sign-in completes and
    // is kept in memory (its tokens can be copied), and it is saved as soon as the keychain opens.
    void signInWhileTheKeychainIsLocked()
    {
        auto keychain = std::make_shared<MemorySecretStore>();
        AccountService service(std::make_unique<ProfileStorage>(
            QStringLiteral("gui-locked"), ProfileStorage::TokenPersistence::Encrypted, keychain));
        HttpOptions http;
        http.caBundleFile = m_sandbox.caFile();
        service.setHttpOptions(http);
        const AuthError locked =
            storageError(StorageFailure::KeychainLocked, QStringLiteral("The keychain is locked (test)."));
        auto open = std::make_shared<bool>(false);
        int unlockRequests = 0;
        service.setKeychainWatch(
            [open, locked]() {
                return QtFuture::makeReadyFuture(*open ? VoidResult(Done{}) : VoidResult(locked));
            },
            [open, keychain, &unlockRequests]() {
                ++unlockRequests;
                *open = true;
                keychain->setFailure(std::nullopt);
                return QtFuture::makeReadyFuture(VoidResult(Done{}));
            });

        // Bob was signed in earlier.
        {
            AccountService earlier(std::make_unique<ProfileStorage>(
                QStringLiteral("gui-locked"), ProfileStorage::TokenPersistence::Encrypted, keychain));
            earlier.setHttpOptions(http);
            SignInOperation *operation = earlier.signIn(
                request(SignInMethod::UsernamePassword, QStringLiteral("bob@contoso.test")), &earlier);
            QVERIFY(QTest::qWaitFor([operation]() { return !operation->isRunning(); }, 60000));
            QCOMPARE(operation->state(), SignInOperation::State::Succeeded);
        }
        QSignalSpy loaded(&service, &AccountService::accountsChanged);
        service.reload();
        QVERIFY(loaded.wait(30000));
        QCOMPARE(service.accounts().size(), 1);

        keychain->setFailure(locked);
        QSignalSpy keychainChanged(&service, &AccountService::keychainStateChanged);
        service.reload();
        QVERIFY(keychainChanged.wait(30000));
        QCOMPARE(service.keychainState(), AccountService::KeychainState::Locked);
        QVERIFY(!service.keychainMessage().isEmpty());
        QCOMPARE(service.accounts().size(), 1); // still shown, not "no accounts"

        SignInOperation *operation = service.signIn(
            request(SignInMethod::UsernamePassword, QStringLiteral("alice@contoso.test")), &service);
        QVERIFY(QTest::qWaitFor([operation]() { return !operation->isRunning(); }, 60000));
        QVERIFY2(operation->state() == SignInOperation::State::Succeeded,
                 qPrintable(operation->error().message));
        QCOMPARE(service.unsavedSignIns(), 1);
        std::optional<AccountEntry> alice;
        for (const AccountEntry &entry : service.accounts()) {
            if (entry.record().username == QStringLiteral("alice@contoso.test"))
                alice = entry;
        }
        QVERIFY(alice && alice->unsaved);
        QVERIFY(!keychain->items().contains(AccountStore::accountKey(alice->id())));
        // Its token is in memory: it can be copied.
        const TokenResult token = test::await(service.token(alice->id(), {Arm}));
        QVERIFY2(token.ok(), why(token).constData());

        service.unlockKeychain();
        QCOMPARE(unlockRequests, 1);
        QVERIFY(QTest::qWaitFor([&service]() { return service.unsavedSignIns() == 0; }, 30000));
        QCOMPARE(service.keychainState(), AccountService::KeychainState::Open);
        QVERIFY(keychain->items().contains(AccountStore::accountKey(alice->id())));

        // Another process sees both, with alice's refresh token.
        ProfileStorage other(QStringLiteral("gui-locked"), ProfileStorage::TokenPersistence::Encrypted,
                             keychain);
        const auto listed = test::await(other.accounts().list());
        QVERIFY2(listed.ok(), why(listed).constData());
        QCOMPARE(listed.value().size(), 2);
        QVERIFY(test::await(other.loadCaches()).ok());
        QVERIFY(other.cache()->findRefreshToken(alice->id(),
                                                alice->record().authority.section(QLatin1Char(':'), 0, 0),
                                                alice->record().clientId));
    }

    // The watcher says "open" but Azid's own reads still fail (another keychain backend than the
    // profile's, a refused item): the service waits before probing again instead of looping.
    void aKeychainThatOpensButStillFailsIsNotProbedInALoop()
    {
        auto keychain = std::make_shared<MemorySecretStore>();
        keychain->setFailure(storageError(StorageFailure::KeychainUnavailable,
                                          QStringLiteral("This profile keeps its items elsewhere (test).")));
        AccountService service(std::make_unique<ProfileStorage>(
            QStringLiteral("gui-looping"), ProfileStorage::TokenPersistence::Encrypted, keychain));
        auto probes = std::make_shared<int>(0);
        service.setKeychainWatch(
            [probes]() {
                ++*probes;
                return QtFuture::makeReadyFuture(VoidResult(Done{}));
            },
            {});
        QSignalSpy changed(&service, &AccountService::accountsChanged);
        service.reload();
        QVERIFY(QTest::qWaitFor([&]() { return *probes >= 1 && changed.size() >= 2; }, 30000));
        for (int i = 0; i < 500; ++i)
            QCoreApplication::processEvents();
        QVERIFY2(*probes <= 2, qPrintable(QStringLiteral("%1 probes").arg(*probes)));
        QCOMPARE(service.keychainState(), AccountService::KeychainState::Unavailable);
    }
};

QTEST_MAIN(TestAccountService)
#include "tst_accountservice.moc"
