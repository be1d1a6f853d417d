// The agent as its clients meet it. `azid-cli agent` and the agent a tray app hosts (TokenAgent in this
// process) serve `azid-cli token` and `azid-cli env`, which run as separate processes, over the real
// Secret Service (run-with-keyring.sh) and azid-sandbox over TLS. Another uid on the socket (setpriv, as
// root), garbage and a flood of connections are refused while the agent keeps serving.
#include "keyringcontrol.h"
#include "sandbox.h"
#include "testwait.h"

#include "azid/keychain/profilestorage.h"
#include "azid/model/accountservice.h"
#include "azid/model/agentprotocol.h"
#include "azid/model/signinoperation.h"
#include "azid/model/tokenagent.h"
#include "azid/readyfuture.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QPromise>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <memory>

using namespace azid;

namespace {
const QString Arm = QStringLiteral("https://management.azure.com/.default");
const QString Graph = QStringLiteral("https://graph.microsoft.com/.default");
const QString Storage = QStringLiteral("https://storage.azure.com/.default");
const QString Alice = QStringLiteral("alice@contoso.test");
const QString Bob = QStringLiteral("bob@contoso.test");
// Another user, for the socket's checks: any uid but ours; no account needs to exist for it.
const QString OtherUid = QStringLiteral("4242");

struct Run
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
    QString describe() const
    {
        return QStringLiteral("exit %1, stdout: %2, stderr: %3")
            .arg(exitCode)
            .arg(QString::fromUtf8(out.left(300)), QString::fromUtf8(err.left(900)));
    }
    // Errors differ from run to run only in the ids the authority made for the request. Qt's own
    // warnings ("qt.<category>: ...") are not azid-cli's output.
    QByteArray errWithoutIds() const
    {
        QString text = QString::fromUtf8(err);
        text.remove(QRegularExpression(QStringLiteral("^qt\\.[a-z.]+: [^\n]*\n"),
                                       QRegularExpression::MultilineOption));
        text.replace(QRegularExpression(
                         QStringLiteral("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")),
                     QStringLiteral("<id>"));
        return text.toUtf8();
    }
};

// A raw connection to a Unix socket, as any program of the user could make.
int connectTo(const QString &path)
{
    return azid::model::agent::connectToSocket(path);
}

// What the agent sends on `fd` until it closes the connection (running the event loop meanwhile, for an
// agent in this process), or what came within `limitMs`.
QByteArray readUntilClosed(int fd, int limitMs = 10000)
{
    QByteArray received;
    QElapsedTimer elapsed;
    elapsed.start();
    while (elapsed.elapsed() < limitMs) {
        char chunk[4096];
        const ssize_t n = ::recv(fd, chunk, sizeof chunk, MSG_DONTWAIT);
        if (n == 0)
            break;
        if (n > 0)
            received.append(chunk, n);
        else
            QTest::qWait(5);
    }
    return received;
}

} // namespace

class TestAgent : public QObject
{
    Q_OBJECT

private:
    test::Sandbox m_sandbox;
    QTemporaryDir m_runtime;
    std::unique_ptr<QProcess> m_agent;
    QByteArray m_agentLog;      // everything `azid-cli agent` wrote, across the tests
    QList<QByteArray> m_tokens; // every token a test was given

    // A program to its end, with the event loop running (an agent in this process answers meanwhile).
    Run run(const QStringList &arguments, const QByteArray &input = {}, const QString &program = {})
    {
        QProcess process;
        process.start(program.isEmpty() ? QStringLiteral(AZID_CLI_PATH) : program, arguments);
        if (!process.waitForStarted(10000))
            return {};
        process.write(input);
        process.closeWriteChannel();
        if (!QTest::qWaitFor([&process]() { return process.state() == QProcess::NotRunning; }, 120000))
            process.kill();
        Run result{process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
                   process.readAllStandardOutput(), process.readAllStandardError()};
        const QJsonObject token = QJsonDocument::fromJson(result.out).object();
        if (token.contains(QStringLiteral("token")))
            m_tokens << token.value(QStringLiteral("token")).toString().toUtf8();
        return result;
    }

    Run login(const QString &profile, const QString &user)
    {
        const QByteArray password = user.section(QLatin1Char('@'), 0, 0).toUtf8() + "-password-1\n";
        return run({QStringLiteral("--profile"), profile, QStringLiteral("--authority"),
                    m_sandbox.authority(), QStringLiteral("--ca-bundle"), m_sandbox.caFile(),
                    QStringLiteral("--disable-instance-discovery"), QStringLiteral("login"),
                    QStringLiteral("--flow"), QStringLiteral("password"), QStringLiteral("--username"), user,
                    QStringLiteral("--password-stdin"), QStringLiteral("--scope"), Arm},
                   password);
    }

    // As scripts ask: the account's authority and CA come from its record.
    Run token(const QString &profile, const QString &user, const QString &scope = Arm,
              const QStringList &more = {})
    {
        return run(QStringList{QStringLiteral("--profile"), profile} + more +
                   QStringList{QStringLiteral("token"), QStringLiteral("--scope"), scope,
                               QStringLiteral("--account"), user});
    }

    static QString socketOf(const QString &profile) { return model::agent::socketPath(profile); }

    // `azid-cli agent` for the profile, with its log at debug level; false when its socket did not appear.
    bool startAgent(const QString &profile)
    {
        m_agent = std::make_unique<QProcess>();
        connect(m_agent.get(), &QProcess::readyReadStandardError, this,
                [this, agent = m_agent.get()]() { m_agentLog += agent->readAllStandardError(); });
        m_agent->start(QStringLiteral(AZID_CLI_PATH),
                       {QStringLiteral("--profile"), profile, QStringLiteral("-v"), QStringLiteral("agent")});
        return QTest::qWaitFor([&profile]() { return QFileInfo::exists(socketOf(profile)); }, 20000);
    }

    // SIGTERM; the agent's exit code.
    int stopAgent()
    {
        if (!m_agent)
            return -1;
        m_agent->terminate();
        if (!QTest::qWaitFor([this]() { return m_agent->state() == QProcess::NotRunning; }, 20000)) {
            m_agent->kill();
            m_agent->waitForFinished();
            return -1;
        }
        m_agentLog += m_agent->readAllStandardError();
        const int code = m_agent->exitStatus() == QProcess::NormalExit ? m_agent->exitCode() : -1;
        m_agent.reset();
        return code;
    }

    int servedCount() const { return int(m_agentLog.count(": served")); }

    // A Python client run as another user (setpriv; the test runs as root): connects to the socket,
    // sends one request, prints "connect: ERRNO" or "answer: BYTES".
    Run askAsOtherUser(const QString &socket, const QString &request)
    {
        const QString client =
            QStringLiteral("import socket,sys\n"
                           "s=socket.socket(socket.AF_UNIX)\n"
                           "try:\n    s.connect(sys.argv[1])\nexcept OSError as e:\n    "
                           "print('connect:',e.errno); sys.exit(0)\n"
                           "try:\n    s.sendall(sys.argv[2].encode()+b'\\n'); data=s.recv(65536)\n"
                           "except OSError:\n    data=b''\n"
                           "print('answer:',len(data))\n");
        return run({QStringLiteral("--reuid=") + OtherUid, QStringLiteral("--regid=") + OtherUid,
                    QStringLiteral("--clear-groups"), QStringLiteral("/usr/bin/python3"),
                    QStringLiteral("-c"), client, socket, request},
                   {}, QStringLiteral("setpriv"));
    }

private slots:
    void initTestCase()
    {
        QVERIFY2(qEnvironmentVariable("AZID_TEST_KEYRING") == QLatin1String("unlocked"),
                 "run this test through tests/support/run-with-keyring.sh (ctest does)");
        QVERIFY2(m_sandbox.start(), qPrintable(m_sandbox.errorString()));
        m_sandbox.settings({{QStringLiteral("access_token_lifetime"), 3600}});
        // A runtime folder that another uid may pass through (mode 0711), so that only the agent's own
        // folder and socket keep it out; the agent makes its folder inside.
        QVERIFY(m_runtime.isValid());
        QVERIFY(QFile::setPermissions(m_runtime.path(), QFile::ReadOwner | QFile::WriteOwner |
                                                            QFile::ExeOwner | QFile::ExeGroup |
                                                            QFile::ExeOther));
        qputenv("XDG_RUNTIME_DIR", QFile::encodeName(m_runtime.path()));
    }

    void cleanupTestCase()
    {
        stopAgent();
        // Every token any test was given; none may be in the agent's log (at debug level).
        QVERIFY(!m_tokens.isEmpty());
        for (const QByteArray &token : std::as_const(m_tokens))
            QVERIFY2(!m_agentLog.contains(token), "a token is in the agent's log");
        QVERIFY(m_agentLog.contains(": served"));
    }

    void cleanup() { stopAgent(); }

    void socketFolderIsPrivate()
    {
        QVERIFY(startAgent(QStringLiteral("private")));
        struct stat folder
        {};
        QCOMPARE(::stat(QFile::encodeName(model::agent::socketDirectory()).constData(), &folder), 0);
        QCOMPARE(int(folder.st_mode & 0777), 0700);
        QCOMPARE(folder.st_uid, ::geteuid());
        struct stat socket
        {};
        QCOMPARE(::stat(QFile::encodeName(socketOf(QStringLiteral("private"))).constData(), &socket), 0);
        QVERIFY(S_ISSOCK(socket.st_mode));
        QCOMPARE(int(socket.st_mode & 077), 0);
        // A second agent for the same profile does not take the socket over.
        const Run second =
            run({QStringLiteral("--profile"), QStringLiteral("private"), QStringLiteral("agent")});
        QCOMPARE(second.exitCode, 3);
        QVERIFY2(second.err.contains("already serves"), qPrintable(second.describe()));
        QCOMPARE(stopAgent(), 0);
        QVERIFY(!QFileInfo::exists(socketOf(QStringLiteral("private"))));
    }

    // The same output and exit codes with and without the agent: a token, an unknown account (3), an
    // account that needs a sign-in (5), each in text and in JSON.
    void tokenThroughAgentEqualsDirect()
    {
        const QString profile = QStringLiteral("same");
        QCOMPARE(login(profile, Alice).exitCode, 0);
        QCOMPARE(login(profile, Bob).exitCode, 0);
        m_sandbox.control("POST", QStringLiteral("revoke"),
                          QJsonDocument(QJsonObject{{QStringLiteral("username"), Bob}}));
        const QList<QPair<QString, QString>> cases{
            {Alice, Arm}, {QStringLiteral("nobody@contoso.test"), Arm}, {Bob, Graph}};
        const QList<int> expected{0, 3, 5};
        for (const QStringList &output :
             {QStringList{}, QStringList{QStringLiteral("--output"), QStringLiteral("json")}}) {
            QList<Run> direct;
            for (const auto &[user, scope] : cases)
                direct << token(profile, user, scope, output);
            QVERIFY(startAgent(profile));
            const int servedBefore = servedCount();
            for (qsizetype i = 0; i < cases.size(); ++i) {
                const Run agent = token(profile, cases[i].first, cases[i].second, output);
                QVERIFY2(agent.exitCode == expected[i], qPrintable(agent.describe()));
                QCOMPARE(agent.exitCode, direct[i].exitCode);
                QCOMPARE(agent.out, direct[i].out);
                QCOMPARE(agent.errWithoutIds(), direct[i].errWithoutIds());
            }
            QCOMPARE(stopAgent(), 0);
            // The agent answered (one served token, two errors), not the direct path.
            QCOMPARE(servedCount() - servedBefore, 1);
            QVERIFY(m_agentLog.contains("CredentialUnavailableError"));
            QVERIFY(m_agentLog.contains("AuthenticationRequiredError"));
        }
    }

    void withoutAgentTheCommandServesItself()
    {
        const QString profile = QStringLiteral("fallback");
        QCOMPARE(login(profile, Alice).exitCode, 0);
        QVERIFY(!QFileInfo::exists(socketOf(profile)));
        const Run direct = token(profile, Alice);
        QVERIFY2(direct.exitCode == 0, qPrintable(direct.describe()));
        QVERIFY(QJsonDocument::fromJson(direct.out).object().contains(QStringLiteral("token")));
        // A socket left by an agent that was killed: nobody answers, so the command serves itself.
        QVERIFY(startAgent(profile));
        m_agent->kill();
        QVERIFY(QTest::qWaitFor([this]() { return m_agent->state() == QProcess::NotRunning; }, 20000));
        m_agent.reset();
        QVERIFY(QFileInfo::exists(socketOf(profile)));
        const Run stale = token(profile, Alice);
        QVERIFY2(stale.exitCode == 0, qPrintable(stale.describe()));
        QCOMPARE(stale.out, direct.out);
        // A new agent takes the stale socket's place.
        QVERIFY(startAgent(profile));
        QCOMPARE(token(profile, Alice).out, direct.out);
        QCOMPARE(stopAgent(), 0);
    }

    // A scope not in the cache: the agent refreshes through the model and saves what it got, so that the
    // command without an agent finds it afterwards without asking the authority again. An account
    // signed in while the agent runs is served too.
    void refreshThroughAgent()
    {
        const QString profile = QStringLiteral("refresh");
        QCOMPARE(login(profile, Alice).exitCode, 0);
        QVERIFY(startAgent(profile));
        m_sandbox.clearRequests();
        const int servedBefore = servedCount();
        const Run graph = token(profile, Alice, Graph);
        QVERIFY2(graph.exitCode == 0, qPrintable(graph.describe()));
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token"), QStringLiteral("refresh_token")), 1);
        QCOMPARE(token(profile, Alice, Graph).out, graph.out);
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token"), QStringLiteral("refresh_token")), 1);

        QCOMPARE(login(profile, Bob).exitCode, 0);
        const Run bob = token(profile, Bob);
        QVERIFY2(bob.exitCode == 0, qPrintable(bob.describe()));
        QCOMPARE(stopAgent(), 0);
        QCOMPARE(servedCount() - servedBefore, 3); // all three by the agent

        // Bob's first token redeemed his refresh token for his tenant: only Alice's Graph token counts now.
        m_sandbox.clearRequests();
        const Run direct = token(profile, Alice, Graph);
        QCOMPARE(direct.out, graph.out);
        QCOMPARE(m_sandbox.countRequests(QStringLiteral("token"), QStringLiteral("refresh_token")), 0);
    }

    // While the keychain is locked the agent serves what it holds in memory, and nothing else: an
    // account signed in since (its record is in the keychain) is left to the command, which says that the
    // keychain is locked, as it does without an agent.
    void lockedKeychainServesOnlyWhatIsInMemory()
    {
        const QString profile = QStringLiteral("locked");
        QCOMPARE(login(profile, Alice).exitCode, 0);
        QVERIFY(startAgent(profile));
        const Run before = token(profile, Alice);
        QVERIFY2(before.exitCode == 0, qPrintable(before.describe()));
        QCOMPARE(login(profile, Bob).exitCode, 0);

        QVERIFY(test::keyring::lock());
        const int servedBefore = servedCount();
        const Run inMemory = token(profile, Alice);
        const Run bob = token(profile, Bob, Arm, {QStringLiteral("--output"), QStringLiteral("json")});
        const bool unlocked = test::keyring::unlock(QStringLiteral(AZID_UNLOCK_KEYRING));
        QVERIFY(unlocked);
        QVERIFY2(inMemory.exitCode == 0, qPrintable(inMemory.describe()));
        QCOMPARE(inMemory.out, before.out);
        QCOMPARE(servedCount() - servedBefore, 1);
        QVERIFY2(bob.exitCode == 3, qPrintable(bob.describe()));
        QCOMPARE(QJsonDocument::fromJson(bob.err.trimmed().split('\n').last())
                     .object()
                     .value(QStringLiteral("reason")),
                 QStringLiteral("keychain_locked"));
        QVERIFY(m_agentLog.contains("unavailable"));

        // Unlocked again, the agent serves Bob too.
        const Run after = token(profile, Bob);
        QVERIFY2(after.exitCode == 0, qPrintable(after.describe()));
        QCOMPARE(stopAgent(), 0);
    }

    void anotherUserIsRefused()
    {
        const QString profile = QStringLiteral("uid");
        QCOMPARE(login(profile, Alice).exitCode, 0);
        QVERIFY(startAgent(profile));
        const QString socket = socketOf(profile);
        const QString request =
            QString::fromUtf8(model::agent::encodeRequest(
                                  {model::agent::Request::Type::Token, {Alice, {{Arm}, {}, {}, false}}, {}})
                                  .trimmed());
        // The folder (0700) keeps another user from even reaching the socket.
        const Run blocked = askAsOtherUser(socket, request);
        QVERIFY2(blocked.out.startsWith("connect: 13"), qPrintable(blocked.describe())); // EACCES

        // With the folder and socket opened to all, the agent itself still refuses the other uid.
        const QString folder = model::agent::socketDirectory();
        QCOMPARE(::chmod(QFile::encodeName(folder).constData(), 0711), 0);
        QCOMPARE(::chmod(QFile::encodeName(socket).constData(), 0666), 0);
        const Run refused = askAsOtherUser(socket, request);
        QCOMPARE(::chmod(QFile::encodeName(socket).constData(), 0600), 0);
        QCOMPARE(::chmod(QFile::encodeName(folder).constData(), 0700), 0);
        QVERIFY2(refused.exitCode == 0 && refused.out.trimmed() == "answer: 0",
                 qPrintable(refused.describe()));
        QVERIFY(QTest::qWaitFor([this]() { return m_agentLog.contains("uid 4242"); }, 10000));

        // And keeps serving its own user.
        const Run mine = token(profile, Alice);
        QVERIFY2(mine.exitCode == 0, qPrintable(mine.describe()));
        QCOMPARE(stopAgent(), 0);
    }

    void garbageAndFloodsAreRefused()
    {
        const QString profile = QStringLiteral("flood");
        QCOMPARE(login(profile, Alice).exitCode, 0);
        QVERIFY(startAgent(profile));
        const QString socket = socketOf(profile);

        // Not JSON: an error answer, and the connection is closed.
        int fd = connectTo(socket);
        QVERIFY(fd >= 0);
        QVERIFY(::send(fd, "\x01\x02 not json\n", 12, MSG_NOSIGNAL) == 12);
        const QByteArray garbage = readUntilClosed(fd);
        ::close(fd);
        const auto parsed = model::agent::parseAnswer(garbage.trimmed());
        QVERIFY2(parsed.ok() && parsed.value().type == model::agent::Answer::Type::Error,
                 garbage.constData());

        // A request longer than the limit, without a newline: closed.
        fd = connectTo(socket);
        QVERIFY(fd >= 0);
        const QByteArray huge(model::agent::MaxRequestBytes + 1024, 'x');
        ::send(fd, huge.constData(), size_t(huge.size()), MSG_NOSIGNAL);
        const QByteArray tooLong = readUntilClosed(fd);
        ::close(fd);
        QVERIFY2(tooLong.contains("longer than"), tooLong.constData());

        // More connections at once than the agent takes: those beyond are closed at once.
        QList<int> flood;
        for (int i = 0; i < 200; ++i) {
            const int each = connectTo(socket);
            if (each >= 0)
                flood << each;
        }
        QVERIFY(
            QTest::qWaitFor([this]() { return m_agentLog.contains("connections are open already"); }, 10000));
        int closedByAgent = 0;
        for (int each : std::as_const(flood)) {
            char byte;
            if (::recv(each, &byte, 1, MSG_DONTWAIT) == 0)
                ++closedByAgent;
        }
        QVERIFY2(closedByAgent > 0, qPrintable(QString::number(flood.size())));
        for (int each : std::as_const(flood))
            ::close(each);

        // The agent still serves.
        const Run after = token(profile, Alice);
        QVERIFY2(after.exitCode == 0, qPrintable(after.describe()));
        QCOMPARE(stopAgent(), 0);
    }

    void environmentOfTheManagedIdentityEndpoint()
    {
        const QString profile = QStringLiteral("env");
        // No agent: exit 3.
        const Run none = run({QStringLiteral("--profile"), profile, QStringLiteral("env")});
        QCOMPARE(none.exitCode, 3);
        QVERIFY2(none.err.contains("No Azid agent runs"), qPrintable(none.describe()));
        QVERIFY(none.out.isEmpty());

        QCOMPARE(login(profile, Alice).exitCode, 0);
        // An agent without an endpoint: exit 3 too.
        QVERIFY(startAgent(profile));
        const Run withoutEndpoint = run({QStringLiteral("--profile"), profile, QStringLiteral("env")});
        QCOMPARE(withoutEndpoint.exitCode, 3);
        QVERIFY2(withoutEndpoint.err.contains("serves no managed-identity endpoint"),
                 qPrintable(withoutEndpoint.describe()));
        QCOMPARE(stopAgent(), 0);

        // The agent a tray app hosts, told about its endpoint.
        model::AccountService service(std::make_unique<ProfileStorage>(profile));
        model::TokenAgent agent(service, model::TokenAgent::Options{profile});
        QVERIFY(agent.listen().ok());
        agent.setManagedIdentityEndpoint(QUrl(QStringLiteral("http://127.0.0.1:40123/msi/token")),
                                         Secret(QByteArrayLiteral("header-secret")));
        const Run env = run({QStringLiteral("--profile"), profile, QStringLiteral("env")});
        QVERIFY2(env.exitCode == 0, qPrintable(env.describe()));
        QCOMPARE(env.out, QByteArrayLiteral("export IDENTITY_ENDPOINT='http://127.0.0.1:40123/msi/token'\n"
                                            "export IDENTITY_HEADER='header-secret'\n"));
        agent.clearManagedIdentityEndpoint();
        QCOMPARE(run({QStringLiteral("--profile"), profile, QStringLiteral("env")}).exitCode, 3);
    }

    // A request that needs the person: the host's step-up handler is asked (the tray shows the sign-in
    // dialog; here, a password sign-in), the caller is told on stderr that it waits, then gets its token.
    // Every answered request is reported, without its token.
    void stepUpWaitsForTheSignIn()
    {
        const QString profile = QStringLiteral("stepup");
        QCOMPARE(login(profile, Bob).exitCode, 0);
        m_sandbox.control("POST", QStringLiteral("revoke"),
                          QJsonDocument(QJsonObject{{QStringLiteral("username"), Bob}}));

        model::AccountService service(std::make_unique<ProfileStorage>(profile));
        HttpOptions http;
        http.caBundleFile = m_sandbox.caFile();
        service.setHttpOptions(http);
        model::TokenAgent agent(service, model::TokenAgent::Options{profile});
        QList<model::TokenAgent::StepUp> asked;
        agent.setStepUpHandler([&](const model::TokenAgent::StepUp &stepUp) {
            asked << stepUp;
            model::SignInRequest request;
            request.authority = m_sandbox.authority();
            request.disableInstanceDiscovery = true;
            request.method = model::SignInMethod::UsernamePassword;
            request.username = stepUp.username;
            request.password = Secret(QByteArrayLiteral("bob-password-1"));
            request.scopes = stepUp.scopes;
            request.accountId = stepUp.accountId;
            auto promise = std::make_shared<QPromise<VoidResult>>();
            promise->start();
            model::SignInOperation *operation = service.signIn(request, &service);
            connect(operation, &model::SignInOperation::finished, operation, [promise, operation]() {
                promise->addResult(operation->state() == model::SignInOperation::State::Succeeded
                                       ? VoidResult(Done{})
                                       : VoidResult(operation->error()));
                promise->finish();
            });
            return promise->future();
        });
        QList<model::AgentRequestRecord> served;
        connect(&agent, &model::TokenAgent::requestServed, this,
                [&served](const model::AgentRequestRecord &record) { served << record; });
        QVERIFY(agent.listen().ok());

        const Run waited = token(profile, Bob, Graph);
        QVERIFY2(waited.exitCode == 0, qPrintable(waited.describe()));
        QVERIFY2(waited.err.contains("waiting for you to sign in as bob@contoso.test in Azid"),
                 qPrintable(waited.describe()));
        QCOMPARE(asked.size(), 1);
        QCOMPARE(asked.first().username, Bob);
        QCOMPARE(asked.first().scopes, QStringList{Graph});
        QCOMPARE(asked.first().program, QStringLiteral("azid-cli"));
        QVERIFY(asked.first().pid > 0);
        QCOMPARE(served.size(), 1);
        QVERIFY(served.first().served);
        QCOMPARE(served.first().scopes, QStringList{Graph});
        QCOMPARE(served.first().program, QStringLiteral("azid-cli"));

        // A sign-in that fails: the caller gets the error that asked for it (exit 5).
        m_sandbox.control("POST", QStringLiteral("revoke"),
                          QJsonDocument(QJsonObject{{QStringLiteral("username"), Bob}}));
        agent.setStepUpHandler([](const model::TokenAgent::StepUp &) {
            return ready(VoidResult(AuthError::authentication(QStringLiteral("dismissed"))));
        });
        const Run dismissed = token(profile, Bob, Storage);
        QVERIFY2(dismissed.exitCode == 5, qPrintable(dismissed.describe()));
        QCOMPARE(served.size(), 2);
        QVERIFY(!served.last().served);
    }
};

QTEST_GUILESS_MAIN(TestAgent)
#include "tst_agent.moc"
