// The tray app end to end, as a person uses it: azid (the real program) under Xvfb with a tray host,
// against azid-sandbox, with the real Secret Service (run-with-keyring.sh). Its tray menu and dialogs
// are driven through its test hooks; the clipboard is read back over X11 by this process, as any
// other application would read it.
#include "azid/model/appsettings.h"
#include "azid/model/jwt.h"
#include "azid/ui/singleinstance.h"
#include "sandbox.h"

#include <QApplication>
#include <QClipboard>
#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocalSocket>
#include <QMimeData>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QSystemTrayIcon>
#include <QtTest>

using namespace azid;

namespace {
const QString Profile = QStringLiteral("e2e");
constexpr int ClearSeconds = 3;
} // namespace

class TestTray : public QObject
{
    Q_OBJECT

private:
    test::Sandbox m_sandbox;
    QProcess m_azid;
    QLocalSocket m_hooks;

    QJsonObject hook(const QJsonObject &request)
    {
        if (m_hooks.state() != QLocalSocket::ConnectedState) {
            m_hooks.connectToServer(ui::SingleInstance::socketPath(Profile));
            if (!m_hooks.waitForConnected(2000))
                return {{QStringLiteral("ok"), false}, {QStringLiteral("error"), m_hooks.errorString()}};
        }
        m_hooks.write(QJsonDocument(request).toJson(QJsonDocument::Compact) + '\n');
        QByteArray line;
        while (!line.endsWith('\n')) {
            if (!m_hooks.waitForReadyRead(10000))
                return {{QStringLiteral("ok"), false},
                        {QStringLiteral("error"), QStringLiteral("no answer")}};
            line += m_hooks.readAll();
        }
        return QJsonDocument::fromJson(line).object();
    }

    QJsonObject command(const QString &cmd, const QJsonObject &arguments = {})
    {
        QJsonObject request = arguments;
        request.insert(QStringLiteral("cmd"), cmd);
        return hook(request);
    }

    bool ok(const QJsonObject &answer) { return answer.value(QStringLiteral("ok")).toBool(); }
    QString describe(const QJsonObject &answer) const
    {
        return QString::fromUtf8(QJsonDocument(answer).toJson(QJsonDocument::Compact));
    }

    QJsonObject state() { return command(QStringLiteral("state")); }
    QJsonArray accounts() { return state().value(QStringLiteral("accounts")).toArray(); }
    bool menu(const QStringList &path)
    {
        const QJsonObject answer =
            command(QStringLiteral("menu"), {{QStringLiteral("path"), QJsonArray::fromStringList(path)}});
        if (!ok(answer))
            qWarning("%s", qPrintable(describe(answer)));
        return ok(answer);
    }
    bool set(const QString &name, const QJsonValue &value)
    {
        const QJsonObject answer = command(
            QStringLiteral("set"), {{QStringLiteral("name"), name}, {QStringLiteral("value"), value}});
        if (!ok(answer))
            qWarning("%s", qPrintable(describe(answer)));
        return ok(answer);
    }
    bool click(const QString &name)
    {
        const QJsonObject answer = command(QStringLiteral("click"), {{QStringLiteral("name"), name}});
        if (!ok(answer))
            qWarning("%s", qPrintable(describe(answer)));
        return ok(answer);
    }
    QJsonObject get(const QString &name)
    {
        return command(QStringLiteral("get"), {{QStringLiteral("name"), name}});
    }

    QString clipboardText() const { return QApplication::clipboard()->text(); }

    bool hasAccount(const QString &user)
    {
        for (const QJsonValue &account : accounts()) {
            if (account.toObject().value(QStringLiteral("username")).toString() == user)
                return true;
        }
        return false;
    }

    QJsonObject account(const QString &user)
    {
        for (const QJsonValue &value : accounts()) {
            if (value.toObject().value(QStringLiteral("username")).toString() == user)
                return value.toObject();
        }
        return {};
    }
    QString accountId(const QString &user) { return account(user).value(QStringLiteral("id")).toString(); }
    bool hasValidToken(const QString &user, const QString &scope)
    {
        return account(user).value(QStringLiteral("validScopes")).toArray().contains(scope);
    }
    int tokensCopied() { return state().value(QStringLiteral("tokensCopied")).toInt(-1); }
    QString trayState() { return state().value(QStringLiteral("trayState")).toString(); }

    // The sandbox keeps its next `count` token answers until release() (its control API's "hold").
    bool holdTokenAnswers(int count)
    {
        const QJsonDocument added = m_sandbox.fault({{QStringLiteral("endpoint"), QStringLiteral("token")},
                                                     {QStringLiteral("hold"), true},
                                                     {QStringLiteral("count"), count}});
        return added.object().value(QStringLiteral("ok")).toBool();
    }
    int heldAnswers()
    {
        return m_sandbox.control("GET", QStringLiteral("held"))
            .object()
            .value(QStringLiteral("held"))
            .toInt(-1);
    }
    int release()
    {
        return m_sandbox.control("POST", QStringLiteral("release"))
            .object()
            .value(QStringLiteral("released"))
            .toInt(-1);
    }
    QString audienceOnTheClipboard() const
    {
        return model::decodeJwt(clipboardText()).claims.value(QStringLiteral("aud")).toString();
    }

    void openAddAccount()
    {
        QVERIFY(menu({QStringLiteral("Add account")}));
        QTRY_VERIFY(state().value(QStringLiteral("signInVisible")).toBool());
        QCOMPARE(state().value(QStringLiteral("signInPage")).toString(), QStringLiteral("Form"));
    }

private slots:
    void initTestCase()
    {
        QVERIFY2(!qEnvironmentVariableIsEmpty("AZID_TEST_KEYRING"),
                 "run through run-with-keyring.sh (ctest does)");
        QVERIFY2(!qEnvironmentVariableIsEmpty("DISPLAY"), "run through tests/gui/with-xvfb.sh (ctest does)");
        // trayer takes the tray selection a moment after it starts.
        QTRY_VERIFY_WITH_TIMEOUT(QSystemTrayIcon::isSystemTrayAvailable(), 20000);
        QVERIFY2(m_sandbox.start({QStringLiteral("--auto-approve"), QStringLiteral("--device-interval"),
                                  QStringLiteral("1")}),
                 qPrintable(m_sandbox.errorString()));

        // What a user would set once in Settings: the sandbox as the authority, its CA, a short delay.
        {
            model::AppSettings settings(Profile);
            settings.setDefaultAuthority(m_sandbox.authority());
            settings.setCaBundle(m_sandbox.caFile());
            settings.setClipboardClearSeconds(ClearSeconds);
            settings.sync();
            QCOMPARE(settings.status(), QSettings::NoError);
        }

        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("AZID_TEST_HOOKS"), QStringLiteral("1"));
        environment.remove(QStringLiteral("QT_QPA_PLATFORM"));
        m_azid.setProcessEnvironment(environment);
        m_azid.setProcessChannelMode(QProcess::ForwardedChannels);
        m_azid.start(QStringLiteral(AZID_APP_PATH), {QStringLiteral("--profile"), Profile});
        QVERIFY(m_azid.waitForStarted(10000));
        QTRY_VERIFY_WITH_TIMEOUT(ok(command(QStringLiteral("ping"))), 20000);
        QTRY_VERIFY_WITH_TIMEOUT(state().value(QStringLiteral("loaded")).toBool(), 20000);
    }

    void cleanupTestCase()
    {
        m_hooks.abort();
        if (m_azid.state() != QProcess::NotRunning) {
            m_azid.terminate();
            if (!m_azid.waitForFinished(10000))
                m_azid.kill();
            m_azid.waitForFinished(5000);
        }
    }

    // A first start (no accounts): the tray icon and the accounts window with its empty state, not a
    // lone tray icon. Closing the window says once that Azid keeps running in the tray.
    void aFirstStartShowsTheWindow()
    {
        const QJsonObject s = state();
        QVERIFY2(s.value(QStringLiteral("trayAvailable")).toBool(), qPrintable(describe(s)));
        QVERIFY(s.value(QStringLiteral("trayVisible")).toBool());
        QTRY_VERIFY(state().value(QStringLiteral("windowVisible")).toBool());
        QVERIFY(get(QStringLiteral("emptyLabel")).value(QStringLiteral("visible")).toBool());
        QCOMPARE(s.value(QStringLiteral("accounts")).toArray().size(), 0);
        QVERIFY(s.value(QStringLiteral("toolTip")).toString().contains(QStringLiteral("no accounts")));
        QCOMPARE(s.value(QStringLiteral("trayState")).toString(), QStringLiteral("Normal"));

        QVERIFY(
            ok(command(QStringLiteral("close"), {{QStringLiteral("window"), QStringLiteral("accounts")}})));
        QTRY_VERIFY(!state().value(QStringLiteral("windowVisible")).toBool());
        QVERIFY2(state()
                     .value(QStringLiteral("lastMessage"))
                     .toString()
                     .startsWith(QStringLiteral("Azid keeps running")),
                 qPrintable(describe(state())));
        QCOMPARE(m_azid.state(), QProcess::Running);
        model::AppSettings settings(Profile);
        QVERIFY(settings.closeToTrayNoticeShown());
    }

    void signInWithPassword()
    {
        openAddAccount();
        // The settings' authority is already there.
        QCOMPARE(get(QStringLiteral("authorityEdit")).value(QStringLiteral("text")).toString(),
                 m_sandbox.authority());
        QVERIFY(set(QStringLiteral("methodPassword"), true));
        QVERIFY(get(QStringLiteral("passwordWarning")).value(QStringLiteral("visible")).toBool());
        QVERIFY(set(QStringLiteral("usernameEdit"), QStringLiteral("alice@contoso.test")));
        QVERIFY(set(QStringLiteral("passwordEdit"), QStringLiteral("alice-password-1")));
        QVERIFY(ok(command(
            QStringLiteral("grab"),
            {{QStringLiteral("window"), QStringLiteral("signInDialog")},
             {QStringLiteral("path"), QStringLiteral(AZID_SCREENSHOT_DIR "/azid-signin-form.png")}})));
        QVERIFY(click(QStringLiteral("signInButton")));
        QTRY_VERIFY_WITH_TIMEOUT(hasAccount(QStringLiteral("alice@contoso.test")), 30000);
        QTRY_VERIFY(!state().value(QStringLiteral("signInVisible")).toBool());
        QVERIFY(state()
                    .value(QStringLiteral("lastMessage"))
                    .toString()
                    .contains(QStringLiteral("alice@contoso.test is signed in")));
        const QJsonObject alice = accounts().first().toObject();
        QCOMPARE(alice.value(QStringLiteral("method")).toString(), QStringLiteral("password"));
        QVERIFY(alice.value(QStringLiteral("isDefault")).toBool());
        QVERIFY(!alice.value(QStringLiteral("needsSignIn")).toBool());
    }

    void signInWithDeviceCode()
    {
        openAddAccount();
        QVERIFY(set(QStringLiteral("methodDeviceCode"), true));
        QVERIFY(set(QStringLiteral("loginHintEdit"), QStringLiteral("bob@contoso.test")));
        QVERIFY(click(QStringLiteral("signInButton")));
        QString code;
        QTRY_VERIFY_WITH_TIMEOUT(
            !(code = get(QStringLiteral("userCodeLabel")).value(QStringLiteral("text")).toString()).isEmpty(),
            30000);
        QVERIFY(get(QStringLiteral("userCodeLabel")).value(QStringLiteral("visible")).toBool());
        QVERIFY(get(QStringLiteral("qrCodeLabel")).value(QStringLiteral("visible")).toBool());
        QVERIFY(get(QStringLiteral("verificationLink"))
                    .value(QStringLiteral("text"))
                    .toString()
                    .contains(QStringLiteral("/devicelogin")));
        QVERIFY(get(QStringLiteral("countdownLabel"))
                    .value(QStringLiteral("text"))
                    .toString()
                    .contains(QStringLiteral("expires in")));
        QCOMPARE(state().value(QStringLiteral("signInPage")).toString(), QStringLiteral("Waiting"));
        const QString shot = QStringLiteral(AZID_SCREENSHOT_DIR "/azid-signin-devicecode.png");
        QVERIFY(
            ok(command(QStringLiteral("grab"), {{QStringLiteral("window"), QStringLiteral("signInDialog")},
                                                {QStringLiteral("path"), shot}})));
        // The person enters the code on another device: the control API approves it for bob.
        const QJsonDocument approved = m_sandbox.control(
            "POST", QStringLiteral("device/approve"),
            QJsonDocument(QJsonObject{{QStringLiteral("user_code"), code},
                                      {QStringLiteral("username"), QStringLiteral("bob@contoso.test")}}));
        QVERIFY2(approved.object().value(QStringLiteral("ok")).toBool(), approved.toJson().constData());
        QTRY_VERIFY_WITH_TIMEOUT(hasAccount(QStringLiteral("bob@contoso.test")), 30000);
        QCOMPARE(accounts().size(), 2);
    }

    void signInWithTheEmbeddedBrowser()
    {
        openAddAccount();
        if (!get(QStringLiteral("methodEmbedded")).value(QStringLiteral("enabled")).toBool()) {
            // Not left open: the next test waits for a sign-in dialog of its own.
            QVERIFY(ok(command(QStringLiteral("close"),
                               {{QStringLiteral("window"), QStringLiteral("signInDialog")}})));
            QTRY_VERIFY(!state().value(QStringLiteral("signInVisible")).toBool());
            QSKIP("azid-webview was not built (no Qt WebEngine)");
        }
        QVERIFY(set(QStringLiteral("methodEmbedded"), true));
        QVERIFY(set(QStringLiteral("loginHintEdit"), QStringLiteral("enrol@contoso.test")));
        QVERIFY(click(QStringLiteral("signInButton")));
        // azid-webview opens the authorize page (trusting the sandbox's CA from the settings); the
        // sandbox approves at once and redirects to azid's loopback listener.
        QTRY_VERIFY_WITH_TIMEOUT(hasAccount(QStringLiteral("enrol@contoso.test")), 90000);
        for (const QJsonValue &account : accounts()) {
            if (account.toObject().value(QStringLiteral("username")).toString() ==
                QStringLiteral("enrol@contoso.test"))
                QCOMPARE(account.toObject().value(QStringLiteral("method")).toString(),
                         QStringLiteral("webengine"));
        }
    }

    void copyAnArmTokenFromTheTray()
    {
        QApplication::clipboard()->clear();
        QVERIFY(menu(
            {QStringLiteral("alice@contoso.test"), QStringLiteral("Copy token: Azure Resource Manager")}));
        QTRY_VERIFY_WITH_TIMEOUT(clipboardText().startsWith(QStringLiteral("eyJ")), 20000);
        const QString token = clipboardText();

        // Marked for clipboard managers, as KeePassXC marks passwords.
        const QMimeData *data = QApplication::clipboard()->mimeData();
        QVERIFY(data);
        QVERIFY2(data->formats().contains(QStringLiteral("x-kde-passwordManagerHint")),
                 qPrintable(data->formats().join(QStringLiteral(", "))));
        QCOMPARE(data->data(QStringLiteral("x-kde-passwordManagerHint")), QByteArray("secret"));

        // A valid ARM token for alice.
        const model::DecodedToken decoded = model::decodeJwt(token);
        QVERIFY2(decoded.isJwt, qPrintable(decoded.error));
        QCOMPARE(decoded.claims.value(QStringLiteral("aud")).toString(),
                 QStringLiteral("https://management.azure.com"));
        QCOMPARE(decoded.claims.value(QStringLiteral("upn")).toString(),
                 QStringLiteral("alice@contoso.test"));
        QVERIFY(*decoded.timeClaim(QStringLiteral("exp")) > QDateTime::currentSecsSinceEpoch() + 3000);

        const QString message = state().value(QStringLiteral("lastMessage")).toString();
        QVERIFY2(message.contains(QStringLiteral("Azure Resource Manager")) &&
                     message.contains(QStringLiteral("Valid for")) &&
                     message.contains(QStringLiteral("cleared in %1 s").arg(ClearSeconds)),
                 qPrintable(message));
        QVERIFY(state().value(QStringLiteral("clipboardClearPending")).toBool());

        // Cleared once the (shortened) delay has passed.
        QTRY_VERIFY_WITH_TIMEOUT(clipboardText().isEmpty(), 30000);
        QVERIFY(!state().value(QStringLiteral("clipboardClearPending")).toBool());
    }

    void bearerHeaderFormat()
    {
        QVERIFY(menu({QStringLiteral("Copy format"), QStringLiteral("Authorization: Bearer header")}));
        QVERIFY(menu({QStringLiteral("bob@contoso.test"), QStringLiteral("Copy token: Microsoft Graph")}));
        QTRY_VERIFY_WITH_TIMEOUT(clipboardText().startsWith(QStringLiteral("Authorization: Bearer eyJ")),
                                 20000);
        const model::DecodedToken decoded = model::decodeJwt(clipboardText());
        QCOMPARE(decoded.claims.value(QStringLiteral("aud")).toString(),
                 QStringLiteral("https://graph.microsoft.com"));
        QCOMPARE(decoded.claims.value(QStringLiteral("upn")).toString(), QStringLiteral("bob@contoso.test"));
        QVERIFY(menu({QStringLiteral("Copy format"), QStringLiteral("Raw token")}));
        QTRY_VERIFY_WITH_TIMEOUT(clipboardText().isEmpty(), 30000);
    }

    void aSignInNeededOpensTheDialogWithTheReason()
    {
        // alice's refresh token is revoked: a token that is not cached needs her to sign in again.
        const QJsonDocument revoked = m_sandbox.control(
            "POST", QStringLiteral("revoke"),
            QJsonDocument(QJsonObject{{QStringLiteral("username"), QStringLiteral("alice@contoso.test")}}));
        QVERIFY(revoked.object().value(QStringLiteral("ok")).toBool());
        QApplication::clipboard()->clear();
        QVERIFY(menu({QStringLiteral("alice@contoso.test"), QStringLiteral("Copy token: Azure Storage")}));
        QTRY_VERIFY_WITH_TIMEOUT(state().value(QStringLiteral("signInVisible")).toBool(), 20000);
        const QJsonObject waiting = state();
        QVERIFY2(waiting.value(QStringLiteral("trayState")).toString() == QStringLiteral("Attention"),
                 qPrintable(describe(waiting)));
        QVERIFY2(waiting.value(QStringLiteral("toolTip"))
                     .toString()
                     .contains(QStringLiteral("sign-in needed: alice@contoso.test")),
                 qPrintable(describe(waiting)));
        const QJsonObject reason = get(QStringLiteral("reasonLabel"));
        QVERIFY(reason.value(QStringLiteral("visible")).toBool());
        QVERIFY2(reason.value(QStringLiteral("text"))
                     .toString()
                     .contains(QStringLiteral("Sign in again as alice@contoso.test")),
                 qPrintable(describe(reason)));
        QCOMPARE(get(QStringLiteral("usernameEdit")).value(QStringLiteral("text")).toString(),
                 QStringLiteral("alice@contoso.test"));
        QVERIFY(clipboardText().isEmpty());

        // Once she has signed in, the copy she asked for happens.
        QVERIFY(set(QStringLiteral("passwordEdit"), QStringLiteral("alice-password-1")));
        QVERIFY(click(QStringLiteral("signInButton")));
        QTRY_VERIFY_WITH_TIMEOUT(clipboardText().startsWith(QStringLiteral("eyJ")), 30000);
        QCOMPARE(model::decodeJwt(clipboardText()).claims.value(QStringLiteral("aud")).toString(),
                 QStringLiteral("https://storage.azure.com"));
        QTRY_COMPARE(state().value(QStringLiteral("trayState")).toString(), QStringLiteral("Normal"));
        QTRY_VERIFY_WITH_TIMEOUT(clipboardText().isEmpty(), 30000);
    }

    void cancelFetchingAToken()
    {
        const QString alice = accountId(QStringLiteral("alice@contoso.test"));
        const QString graph = QStringLiteral("https://graph.microsoft.com/.default");
        QVERIFY(!hasValidToken(QStringLiteral("alice@contoso.test"), graph)); // so it has to be fetched
        const int copied = tokensCopied();
        QApplication::clipboard()->clear();
        QVERIFY(holdTokenAnswers(1));
        QVERIFY(menu({QStringLiteral("alice@contoso.test"), QStringLiteral("Copy token: Microsoft Graph")}));
        QTRY_COMPARE_WITH_TIMEOUT(heldAnswers(), 1, 20000);

        // Busy, and the menu offers to cancel.
        const QJsonObject busy = state();
        QCOMPARE(busy.value(QStringLiteral("trayState")).toString(), QStringLiteral("Busy"));
        QCOMPARE(busy.value(QStringLiteral("tokenFetches")).toArray(), QJsonArray{alice});
        QVERIFY2(busy.value(QStringLiteral("toolTip"))
                     .toString()
                     .contains(QStringLiteral("getting a token for alice@contoso.test")),
                 qPrintable(describe(busy)));
        QVERIFY(menu({QStringLiteral("Cancel fetching token for alice@contoso.test")}));
        QTRY_COMPARE(trayState(), QStringLiteral("Normal"));
        const QJsonObject cancelled = state();
        QCOMPARE(cancelled.value(QStringLiteral("pendingRequests")).toInt(), 0);
        QVERIFY(cancelled.value(QStringLiteral("tokenFetches")).toArray().isEmpty());
        QVERIFY2(cancelled.value(QStringLiteral("lastMessage"))
                     .toString()
                     .contains(QStringLiteral("nothing was copied")),
                 qPrintable(describe(cancelled)));
        // The entry is gone.
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("no entry .*Cancel fetching")));
        QVERIFY(!menu({QStringLiteral("Cancel fetching")}));

        // The answer comes after all: it goes into the cache, not onto the clipboard.
        QCOMPARE(release(), 1);
        QTRY_VERIFY_WITH_TIMEOUT(hasValidToken(QStringLiteral("alice@contoso.test"), graph), 20000);
        QVERIFY(clipboardText().isEmpty());
        QCOMPARE(tokensCopied(), copied);
        QCOMPARE(trayState(), QStringLiteral("Normal"));
    }

    void withoutCancelTheTokenArrives()
    {
        const int copied = tokensCopied();
        QVERIFY(holdTokenAnswers(1));
        QVERIFY(menu({QStringLiteral("bob@contoso.test"), QStringLiteral("Copy token: Azure Storage")}));
        QTRY_COMPARE_WITH_TIMEOUT(heldAnswers(), 1, 20000);
        QCOMPARE(trayState(), QStringLiteral("Busy"));
        // A fetch that takes a while says so, and how to cancel it.
        QTRY_VERIFY_WITH_TIMEOUT(state()
                                     .value(QStringLiteral("lastMessage"))
                                     .toString()
                                     .contains(QStringLiteral("Click this message to cancel")),
                                 20000);
        QCOMPARE(release(), 1);
        QTRY_VERIFY_WITH_TIMEOUT(clipboardText().startsWith(QStringLiteral("eyJ")), 20000);
        QCOMPARE(audienceOnTheClipboard(), QStringLiteral("https://storage.azure.com"));
        QCOMPARE(model::decodeJwt(clipboardText()).claims.value(QStringLiteral("upn")).toString(),
                 QStringLiteral("bob@contoso.test"));
        // Exactly this one: the copy cancelled before did not land meanwhile either.
        QCOMPARE(tokensCopied(), copied + 1);
        QTRY_COMPARE(trayState(), QStringLiteral("Normal"));
        QTRY_VERIFY_WITH_TIMEOUT(clipboardText().isEmpty(), 30000);
    }

    void aSecondCopyReplacesTheFirst()
    {
        const QString bob = accountId(QStringLiteral("bob@contoso.test"));
        const int copied = tokensCopied();
        QVERIFY(holdTokenAnswers(2));
        QVERIFY(menu({QStringLiteral("bob@contoso.test"), QStringLiteral("Copy token: Key Vault")}));
        QTRY_COMPARE_WITH_TIMEOUT(heldAnswers(), 1, 20000);
        QVERIFY(menu({QStringLiteral("bob@contoso.test"), QStringLiteral("Copy token: Azure DevOps")}));
        QTRY_COMPARE_WITH_TIMEOUT(heldAnswers(), 2, 20000);
        // One fetch for bob: the second replaced the first.
        QCOMPARE(state().value(QStringLiteral("tokenFetches")).toArray(), QJsonArray{bob});
        QCOMPARE(release(), 2);
        QTRY_VERIFY_WITH_TIMEOUT(clipboardText().startsWith(QStringLiteral("eyJ")), 20000);
        QCOMPARE(audienceOnTheClipboard(), QStringLiteral("499b84ac-1321-427f-aa17-267ca6975798"));
        // Both answers are in; only the one asked for last was copied.
        QTRY_VERIFY_WITH_TIMEOUT(hasValidToken(QStringLiteral("bob@contoso.test"),
                                               QStringLiteral("https://vault.azure.net/.default")),
                                 20000);
        QCOMPARE(tokensCopied(), copied + 1);
        QVERIFY(clipboardText().isEmpty() ||
                audienceOnTheClipboard() == QStringLiteral("499b84ac-1321-427f-aa17-267ca6975798"));
        QTRY_COMPARE(trayState(), QStringLiteral("Normal"));
        QTRY_VERIFY_WITH_TIMEOUT(clipboardText().isEmpty(), 30000);
    }

    void clickingTheTrayMessageCancels()
    {
        const QString vault = QStringLiteral("https://vault.azure.net/.default");
        QVERIFY(!hasValidToken(QStringLiteral("alice@contoso.test"), vault));
        const int copied = tokensCopied();
        QVERIFY(holdTokenAnswers(1));
        QVERIFY(menu({QStringLiteral("alice@contoso.test"), QStringLiteral("Copy token: Key Vault")}));
        QTRY_COMPARE_WITH_TIMEOUT(heldAnswers(), 1, 20000);
        QTRY_VERIFY_WITH_TIMEOUT(state()
                                     .value(QStringLiteral("lastMessage"))
                                     .toString()
                                     .contains(QStringLiteral("Click this message to cancel")),
                                 20000);
        QVERIFY(ok(command(QStringLiteral("clickTrayMessage"))));
        QTRY_COMPARE(trayState(), QStringLiteral("Normal"));
        QVERIFY(state()
                    .value(QStringLiteral("lastMessage"))
                    .toString()
                    .contains(QStringLiteral("nothing was copied")));
        QCOMPARE(release(), 1);
        QTRY_VERIFY_WITH_TIMEOUT(hasValidToken(QStringLiteral("alice@contoso.test"), vault), 20000);
        QVERIFY(clipboardText().isEmpty());
        QCOMPARE(tokensCopied(), copied);
        // Clicking an older message later cancels nothing.
        QVERIFY(ok(command(QStringLiteral("clickTrayMessage"))));
        QCOMPARE(trayState(), QStringLiteral("Normal"));
    }

    // A launch from the desktop menu (the desktop entry's Exec line) while Azid runs raises its window.
    void aLaunchFromTheDesktopMenuShowsTheWindow()
    {
        QVERIFY(!state().value(QStringLiteral("windowVisible")).toBool());
        QFile entry(QStringLiteral(AZID_DESKTOP_ENTRY));
        QVERIFY(entry.open(QIODevice::ReadOnly));
        QStringList exec;
        for (const QByteArray &line : entry.readAll().split('\n')) {
            if (line.startsWith("Exec="))
                exec = QString::fromUtf8(line.mid(5)).split(QLatin1Char(' '), Qt::SkipEmptyParts);
        }
        QVERIFY(!exec.isEmpty());
        QCOMPARE(exec.first(), QStringLiteral("azid"));
        QProcess second;
        second.setProcessChannelMode(QProcess::ForwardedChannels);
        second.start(QStringLiteral(AZID_APP_PATH),
                     QStringList{QStringLiteral("--profile"), Profile} + exec.mid(1));
        QVERIFY(second.waitForFinished(30000));
        QCOMPARE(second.exitStatus(), QProcess::NormalExit);
        QCOMPARE(second.exitCode(), 0);
        QTRY_VERIFY(state().value(QStringLiteral("windowVisible")).toBool());
        QCOMPARE(m_azid.state(), QProcess::Running); // the first one is still the one
    }

    // The note that Azid keeps running comes once, not on every close.
    void closingAgainSaysNothing()
    {
        const QString before = state().value(QStringLiteral("lastMessage")).toString();
        QVERIFY(!before.startsWith(QStringLiteral("Azid keeps running")));
        QVERIFY(
            ok(command(QStringLiteral("close"), {{QStringLiteral("window"), QStringLiteral("accounts")}})));
        QTRY_VERIFY(!state().value(QStringLiteral("windowVisible")).toBool());
        QCOMPARE(state().value(QStringLiteral("lastMessage")).toString(), before);
        QVERIFY(menu({QStringLiteral("Accounts")}));
        QTRY_VERIFY(state().value(QStringLiteral("windowVisible")).toBool());
    }

    void screenshot()
    {
        const QString path = QStringLiteral(AZID_SCREENSHOT_DIR "/azid-accounts.png");
        QFile::remove(path);
        QTest::qWait(500); // let the window paint once
        const QJsonObject answer =
            command(QStringLiteral("grab"),
                    {{QStringLiteral("window"), QStringLiteral("accounts")}, {QStringLiteral("path"), path}});
        QVERIFY2(ok(answer), qPrintable(describe(answer)));
        const QImage image(path);
        QVERIFY(!image.isNull());
        QVERIFY(image.width() > 600 && image.height() > 200);
        qInfo("screenshot of the accounts window: %s", qPrintable(path));
        // The whole screen with the tray too, when ImageMagick is there.
        const QString import = QStandardPaths::findExecutable(QStringLiteral("import"));
        if (!import.isEmpty()) {
            const QString screen = QStringLiteral(AZID_SCREENSHOT_DIR "/azid-screen.png");
            QProcess::execute(import, {QStringLiteral("-window"), QStringLiteral("root"), screen});
            qInfo("screenshot of the screen: %s", qPrintable(screen));
        }
    }

    void quittingClearsTheClipboard()
    {
        QVERIFY(menu({QStringLiteral("alice@contoso.test"), QStringLiteral("Copy token: Key Vault")}));
        QTRY_VERIFY_WITH_TIMEOUT(clipboardText().startsWith(QStringLiteral("eyJ")), 20000);
        QCOMPARE(model::decodeJwt(clipboardText()).claims.value(QStringLiteral("aud")).toString(),
                 QStringLiteral("https://vault.azure.net"));
        QVERIFY(menu({QStringLiteral("Quit")}));
        m_hooks.abort();
        QVERIFY(m_azid.waitForFinished(30000));
        QCOMPARE(m_azid.exitStatus(), QProcess::NormalExit);
        QCOMPARE(m_azid.exitCode(), 0);
        QTRY_VERIFY(clipboardText().isEmpty());
    }

    void tokensOutliveTheApp()
    {
        // A new azid of the profile finds the accounts in the keychain and the tokens in the cache.
        m_azid.start(QStringLiteral(AZID_APP_PATH), {QStringLiteral("--profile"), Profile});
        QVERIFY(m_azid.waitForStarted(10000));
        QTRY_VERIFY_WITH_TIMEOUT(ok(command(QStringLiteral("ping"))), 20000);
        QTRY_VERIFY_WITH_TIMEOUT(accounts().size() >= 2, 20000);
        for (const QJsonValue &account : accounts())
            QVERIFY(!account.toObject().value(QStringLiteral("needsSignIn")).toBool());
        m_sandbox.clearRequests();
        QApplication::clipboard()->clear();
        QVERIFY(menu(
            {QStringLiteral("alice@contoso.test"), QStringLiteral("Copy token: Azure Resource Manager")}));
        QTRY_VERIFY_WITH_TIMEOUT(clipboardText().startsWith(QStringLiteral("eyJ")), 20000);
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token")), 0); // from the encrypted cache
        QVERIFY(menu({QStringLiteral("Quit")}));
        m_hooks.abort();
        QVERIFY(m_azid.waitForFinished(30000));
        QCOMPARE(m_azid.exitCode(), 0);
    }
};

QTEST_MAIN(TestTray)
#include "tst_tray.moc"
