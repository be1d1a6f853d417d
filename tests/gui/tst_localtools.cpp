// What the tray app serves to local programs (ui/model's LocalTools) and the window that shows it
// (ui/widgets' LocalToolsWindow), with the real parts: an account signed in to azid-sandbox over TLS
// and kept in a private Secret Service (run-with-keyring.sh), the agent on its socket answering the real
// azid-cli, and a managed-identity endpoint answering raw HTTP. What was served shows in the window,
// with the program that asked, and never with token text.
#include "azid/keychain/profilestorage.h"
#include "azid/model/accountservice.h"
#include "azid/model/appsettings.h"
#include "azid/model/localtools.h"
#include "azid/ui/accountswindow.h"
#include "azid/ui/desktopcontroller.h"
#include "azid/ui/localtoolscontroller.h"
#include "azid/ui/localtoolswindow.h"
#include "azid/ui/secretclipboard.h"
#include "azid/ui/signindialog.h"
#include "logcapture.h"
#include "sandbox.h"
#include "secretsseen.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QMenu>
#include <QProcess>
#include <QPushButton>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

using namespace azid;
using namespace azid::model;

namespace {
const QString Profile = QStringLiteral("local-tools");
const QString Arm = QStringLiteral("https://management.azure.com/.default");
const QString Graph = QStringLiteral("https://graph.microsoft.com/.default");
const QString Alice = QStringLiteral("alice@contoso.test");

// What a program printed and how it ended.
struct Ran
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

// Runs azid-cli to its end with this process's event loop running (the agent answers in here).
Ran runCli(const QStringList &arguments)
{
    QProcess process;
    process.start(QStringLiteral(AZID_CLI_PATH),
                  QStringList{QStringLiteral("--profile"), Profile} + arguments);
    Ran ran;
    if (!process.waitForStarted(30000))
        return ran;
    if (!QTest::qWaitFor([&process]() { return process.state() == QProcess::NotRunning; }, 60000))
        process.kill();
    ran.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    ran.out = process.readAllStandardOutput();
    ran.err = process.readAllStandardError();
    return ran;
}

// One raw HTTP GET to the endpoint; the status line's code, 0 when nothing came back.
int httpStatus(const QUrl &url, const QByteArray &secretHeader)
{
    QTcpSocket socket;
    QByteArray received;
    QObject::connect(&socket, &QTcpSocket::readyRead, &socket, [&]() { received += socket.readAll(); });
    QObject::connect(&socket, &QTcpSocket::connected, &socket, [&]() {
        QByteArray request = "GET /msi/token?api-version=2019-08-01&resource=" +
                             QUrl::toPercentEncoding(QStringLiteral("https://management.azure.com")) +
                             " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
        if (!secretHeader.isEmpty())
            request += "X-IDENTITY-HEADER: " + secretHeader + "\r\n";
        socket.write(request + "\r\n");
    });
    socket.connectToHost(QHostAddress(QHostAddress::LocalHost), quint16(url.port()));
    if (!QTest::qWaitFor([&socket]() { return socket.state() == QAbstractSocket::UnconnectedState; }, 30000))
        return 0;
    received += socket.readAll();
    return received.startsWith("HTTP/1.1 ") ? received.mid(9, 3).toInt() : 0;
}

// Every cell of the window's table, joined.
QString tableText(const QAbstractItemModel &model)
{
    QStringList cells;
    for (int row = 0; row < model.rowCount(); ++row) {
        for (int column = 0; column < model.columnCount(); ++column)
            cells << model.index(row, column).data().toString();
    }
    return cells.join(QLatin1Char('|'));
}
} // namespace

class TestLocalTools : public QObject
{
    Q_OBJECT

private:
    test::Sandbox m_sandbox;
    std::unique_ptr<AccountService> m_service;
    std::unique_ptr<LocalTools> m_tools;
    QString m_alice;
    test::SecretsSeen m_secrets; // for the log
    QStringList m_shown;         // tokens and secrets the window must never show

    QString rowText(const ui::LocalToolRequestsModel &model, int row) const
    {
        QStringList cells;
        for (int column = 0; column < model.columnCount(); ++column)
            cells << model.index(row, column).data().toString();
        return cells.join(QLatin1Char('|'));
    }

private slots:
    void initTestCase();
    void theAgentServesAzidCliAndTheWindowShowsIt();
    void anEndpointPerChosenAccount();
    void refusedRequestsShowWhy();
    void stoppingAnEndpointEndsIt();
    void theChoiceIsKeptAndServedAgain();
    void theAccountsWindowServesAnAccount();
    void aSignInNeededAsksThePersonAndTheProgramWaits();
    void noTokenTextInTheWindow();
};

void TestLocalTools::initTestCase()
{
    test::LogCapture::install();
    QVERIFY2(m_sandbox.start(), qPrintable(m_sandbox.errorString()));
    m_service = std::make_unique<AccountService>(std::make_unique<ProfileStorage>(Profile));
    HttpOptions http;
    http.caBundleFile = m_sandbox.caFile();
    m_service->setHttpOptions(http);
    QSignalSpy loaded(m_service.get(), &AccountService::accountsChanged);
    m_service->reload();
    QVERIFY(loaded.wait(30000));

    SignInRequest request;
    request.authority = m_sandbox.authority();
    request.disableInstanceDiscovery = true;
    request.method = SignInMethod::UsernamePassword;
    request.scopes = {Arm};
    request.username = Alice;
    request.password = Secret::fromString(QStringLiteral("alice-password-1"));
    SignInOperation *operation = m_service->signIn(request, m_service.get());
    QVERIFY(QTest::qWaitFor([operation]() { return !operation->isRunning(); }, 60000));
    QCOMPARE(operation->state(), SignInOperation::State::Succeeded);
    m_alice = m_service->accounts().value(0).id();
    QVERIFY(!m_alice.isEmpty());

    m_tools = std::make_unique<LocalTools>(*m_service, Profile);
    const VoidResult started = m_tools->startAgent();
    QVERIFY2(started.ok(), qPrintable(started.ok() ? QString() : started.error().toString()));
    QVERIFY(m_tools->agent().isListening());
}

void TestLocalTools::theAgentServesAzidCliAndTheWindowShowsIt()
{
    ui::LocalToolsWindow window(*m_tools);
    QSignalSpy served(m_tools.get(), &LocalTools::requestServed);
    // From the agent's cache: no CA bundle needed here (with --ca-bundle, azid-cli would not ask the agent).
    const Ran ran = runCli({QStringLiteral("--output"), QStringLiteral("raw"), QStringLiteral("token"),
                            QStringLiteral("--scope"), Arm});
    QVERIFY2(ran.exitCode == 0, ran.err.constData());
    m_secrets << QString::fromUtf8(ran.out.trimmed());
    m_shown << QString::fromUtf8(ran.out.trimmed());
    QVERIFY(served.count() >= 1 || served.wait(10000));

    const LocalToolRequest request = qvariant_cast<LocalToolRequest>(served.last().at(0));
    QCOMPARE(request.channel, LocalToolRequest::Channel::Agent);
    QVERIFY(request.served);
    QCOMPARE(request.username, Alice);
    QCOMPARE(request.scope, Arm);
    QVERIFY2(request.program.startsWith(QStringLiteral("azid-cli")), qPrintable(request.program));

    // Newest first in the window: through the agent, the account, the scope, the program, given.
    const QString row = rowText(*window.requestsModel(), 0);
    QVERIFY2(row.contains(QStringLiteral("|Agent|") + Alice + QLatin1Char('|') + Arm + QLatin1Char('|')),
             qPrintable(row));
    QVERIFY2(row.contains(QStringLiteral("azid-cli")), qPrintable(row));
    QVERIFY2(row.endsWith(QStringLiteral("Token given")), qPrintable(row));
    QVERIFY2(window.servingText().contains(m_tools->agent().socketPath()), qPrintable(window.servingText()));
}

void TestLocalTools::anEndpointPerChosenAccount()
{
    QVERIFY(!m_tools->isServing(m_alice));
    QCOMPARE(m_tools->shellEnvironment(m_alice), QString());
    QSignalSpy changed(m_tools.get(), &LocalTools::servingChanged);
    const VoidResult serving = m_tools->serve(m_alice);
    QVERIFY2(serving.ok(), qPrintable(serving.ok() ? QString() : serving.error().toString()));
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed.at(0).at(0).toString(), m_alice);
    QVERIFY(changed.at(0).at(1).toBool());
    QCOMPARE(m_tools->servedAccounts(), QStringList{m_alice});

    // The shell lines hold the endpoint and its secret, quoted for a POSIX shell.
    const QString environment = m_tools->shellEnvironment(m_alice);
    const QStringList lines = environment.trimmed().split(QLatin1Char('\n'));
    QCOMPARE(lines.size(), 2);
    QVERIFY2(lines[0].startsWith(QStringLiteral("export IDENTITY_ENDPOINT='http://127.0.0.1:")),
             qPrintable(lines[0]));
    QVERIFY(lines[1].startsWith(QStringLiteral("export IDENTITY_HEADER='")));
    const QString secret = lines[1].section(QLatin1Char('\''), 1, 1);
    m_secrets << secret;
    m_shown << secret;
    QCOMPARE(secret.size(), 43);
    const QUrl url(lines[0].section(QLatin1Char('\''), 1, 1));

    // azid-cli env asks the agent, which LocalTools told about the endpoint.
    const Ran env = runCli({QStringLiteral("env"), QStringLiteral("--account"), Alice});
    QVERIFY2(env.exitCode == 0, env.err.constData());
    QVERIFY2(env.out.contains(url.toString().toUtf8()), env.out.constData());
    QVERIFY(env.out.contains(secret.toUtf8()));

    // An SDK's request with the secret is served, and recorded as the managed identity's.
    QSignalSpy served(m_tools.get(), &LocalTools::requestServed);
    QCOMPARE(httpStatus(url, secret.toUtf8()), 200);
    QVERIFY(served.count() >= 1 || served.wait(10000));
    const LocalToolRequest request = qvariant_cast<LocalToolRequest>(served.last().at(0));
    QCOMPARE(request.channel, LocalToolRequest::Channel::ManagedIdentity);
    QVERIFY(request.served);
    QCOMPARE(request.username, Alice);
}

void TestLocalTools::refusedRequestsShowWhy()
{
    QVERIFY(m_tools->isServing(m_alice));
    ui::LocalToolsWindow window(*m_tools);
    const QUrl url(m_tools->shellEnvironment(m_alice).section(QLatin1Char('\''), 1, 1));
    QCOMPARE(httpStatus(url, QByteArray()), 400);
    const QString row = rowText(*window.requestsModel(), 0);
    QVERIFY2(row.contains(QStringLiteral("|Managed identity|")), qPrintable(row));
    QVERIFY2(row.contains(QStringLiteral("Refused: ")), qPrintable(row));
}

void TestLocalTools::stoppingAnEndpointEndsIt()
{
    const QUrl url(m_tools->shellEnvironment(m_alice).section(QLatin1Char('\''), 1, 1));
    QVERIFY(url.port() > 0);
    QSignalSpy changed(m_tools.get(), &LocalTools::servingChanged);
    m_tools->stopServing(m_alice);
    QCOMPARE(changed.count(), 1);
    QVERIFY(!changed.at(0).at(1).toBool());
    QVERIFY(!m_tools->isServing(m_alice));
    QCOMPARE(httpStatus(url, QByteArray("anything")), 0);
    // The agent no longer names an endpoint: env says none serves (exit 3).
    const Ran env = runCli({QStringLiteral("env"), QStringLiteral("--account"), Alice});
    QCOMPARE(env.exitCode, 3);
    QVERIFY(!env.out.contains("IDENTITY_HEADER"));
}

void TestLocalTools::noTokenTextInTheWindow()
{
    ui::LocalToolsWindow window(*m_tools);
    QVERIFY(window.requestsModel()->rowCount() >= 3);
    const QString text = tableText(*window.requestsModel()) + window.servingText();
    QCOMPARE(m_shown.size(), 2);
    for (const QString &secret : std::as_const(m_shown))
        QVERIFY(!secret.isEmpty() && !text.contains(secret));
    QVERIFY(!text.contains(QStringLiteral("eyJ")));
    m_secrets.verifyNoneLogged(1);
}

void TestLocalTools::theChoiceIsKeptAndServedAgain()
{
    QTemporaryDir scratch;
    model::AppSettings settings(Profile, scratch.filePath(QStringLiteral("azid.conf")));
    ui::SecretClipboard clipboard(QGuiApplication::clipboard());
    ui::DesktopController desktop(m_service.get(), &settings, &clipboard);
    {
        ui::LocalToolsController controller(*m_tools, settings, clipboard, desktop);
        controller.setServing(m_alice, true);
        QVERIFY(m_tools->isServing(m_alice));
        QCOMPARE(settings.servedAccounts(), QStringList{m_alice});
        // The shell lines go to the clipboard as a secret.
        controller.copyShellEnvironment(m_alice);
        QVERIFY(clipboard.holdsSecret());
        QVERIFY(QGuiApplication::clipboard()->text().startsWith(QStringLiteral("export IDENTITY_ENDPOINT=")));
        clipboard.clearNow();
        m_tools->stopServing(m_alice);
        QCOMPARE(settings.servedAccounts(), QStringList());
        controller.setServing(m_alice, true);
    }
    // The next start of the app serves the account again, from the settings, with a new secret.
    LocalTools restarted(*m_service, QStringLiteral("local-tools-restarted"));
    ui::LocalToolsController controller(restarted, settings, clipboard, desktop);
    controller.start();
    QVERIFY(restarted.isServing(m_alice));
    QVERIFY(restarted.shellEnvironment(m_alice) != m_tools->shellEnvironment(m_alice));
    QCOMPARE(settings.servedAccounts(), QStringList{m_alice});
    m_tools->stopServing(m_alice);
}

void TestLocalTools::theAccountsWindowServesAnAccount()
{
    QTemporaryDir scratch;
    model::AppSettings settings(Profile, scratch.filePath(QStringLiteral("azid.conf")));
    ui::SecretClipboard clipboard(QGuiApplication::clipboard());
    ui::DesktopController desktop(m_service.get(), &settings, &clipboard);
    ui::LocalToolsController controller(*m_tools, settings, clipboard, desktop);
    desktop.attachLocalTools(&controller);
    ui::AccountsWindow *window = desktop.accountsWindow();
    window->selectAccount(m_alice);
    QAction *serve = window->serveToLocalToolsAction();
    QAction *copy = window->copyShellEnvironmentAction();
    QVERIFY(serve->isEnabled() && !serve->isChecked() && !copy->isEnabled());
    QVERIFY(window->contextMenu()->actions().contains(serve) &&
            window->contextMenu()->actions().contains(copy));

    serve->trigger(); // checks it, as a click does
    QVERIFY(m_tools->isServing(m_alice));
    QVERIFY(serve->isChecked() && copy->isEnabled());
    copy->trigger();
    QVERIFY(clipboard.holdsSecret());
    QVERIFY(QGuiApplication::clipboard()->text().contains(QStringLiteral("IDENTITY_HEADER")));
    clipboard.clearNow();

    serve->trigger();
    QVERIFY(!m_tools->isServing(m_alice));
    QVERIFY(!serve->isChecked() && !copy->isEnabled());
    QCOMPARE(settings.servedAccounts(), QStringList());
}

void TestLocalTools::aSignInNeededAsksThePersonAndTheProgramWaits()
{
    QTemporaryDir scratch;
    model::AppSettings settings(Profile, scratch.filePath(QStringLiteral("azid.conf")));
    ui::SecretClipboard clipboard(QGuiApplication::clipboard());
    ui::DesktopController desktop(m_service.get(), &settings, &clipboard);
    ui::LocalToolsController controller(*m_tools, settings, clipboard, desktop);

    // Alice's refresh token is revoked and Graph was never asked for: only a sign-in can help.
    m_sandbox.control("POST", QStringLiteral("revoke"),
                      QJsonDocument(QJsonObject{{QStringLiteral("username"), Alice}}));
    QProcess cli;
    cli.start(QStringLiteral(AZID_CLI_PATH),
              {QStringLiteral("--profile"), Profile, QStringLiteral("--output"), QStringLiteral("raw"),
               QStringLiteral("token"), QStringLiteral("--scope"), Graph});
    QVERIFY(cli.waitForStarted(30000));
    QVERIFY(QTest::qWaitFor(
        [&desktop]() { return desktop.signInDialog() && desktop.signInDialog()->isVisible(); }, 60000));
    QCOMPARE(controller.waitingSignIns(), QStringList{m_alice});
    QVERIFY(cli.state() == QProcess::Running);

    // The person signs in again as Alice, in the dialog that opened for her.
    ui::SignInDialog *dialog = desktop.signInDialog();
    QCOMPARE(dialog->formRequest().username, Alice);
    auto *password = dialog->findChild<QLineEdit *>(QStringLiteral("passwordEdit"));
    auto *signIn = dialog->findChild<QPushButton *>(QStringLiteral("signInButton"));
    QVERIFY(password && signIn);
    password->setText(QStringLiteral("alice-password-1"));
    QVERIFY(signIn->isEnabled());
    signIn->click();

    // The waiting program then gets its token, and said on stderr what it waited for.
    QVERIFY(QTest::qWaitFor([&cli]() { return cli.state() == QProcess::NotRunning; }, 120000));
    const QByteArray err = cli.readAllStandardError();
    QVERIFY2(cli.exitCode() == 0, err.constData());
    const QString token = QString::fromUtf8(cli.readAllStandardOutput().trimmed());
    QVERIFY(token.startsWith(QStringLiteral("eyJ")));
    m_secrets << token;
    QVERIFY2(err.contains("waiting"), err.constData());
    QVERIFY(controller.waitingSignIns().isEmpty());
}

QTEST_MAIN(TestLocalTools)
#include "tst_localtools.moc"
