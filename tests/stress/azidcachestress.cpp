// azid-cache-stress: many processes and crashes against one persistent token cache, through the real
// storage code (CachePersistence over Azid's encrypted file with its key in the keychain, or over the
// libsecret item azure.identity uses, or over a plain file). scripts/stress-storage.sh runs the long
// version; CTest a short one.
//
//   azid-cache-stress concurrent --dir DIR [--backend B] [--writers N] [--writes K]
//       N writer processes save K times each. Each keeps a counter entry of its own (rewritten each
//       time) and adds a milestone entry every 50 writes. Checked: no process ever sees another's
//       counter go back, or its own differ from what it saved (a lost update); at the end every counter
//       is K and every milestone is there.
//   azid-cache-stress crash --dir DIR [--backend B] [--kills K] [--accounts A]
//       A accounts are saved; then K times a writer that keeps rotating their refresh tokens (and, every
//       tenth life, adds an account) is killed with SIGKILL at a random moment. After each kill the
//       cache must load (no damage, nothing kept aside), every account must be there, and every token
//       must be at least as new as the last one the writer reported saved.
//
//   B: azid (default: encrypted file, key in the keychain), msal-extensions (libsecret item + signal
//   file), plain (a plain file). azid and msal-extensions need a Secret Service (run-with-keyring.sh).
//   Exit status 0 when every check held; otherwise the first violation is printed.
#include "azid/keychain/cachepersistence.h"
#include "azid/keychain/keychainsecretstore.h"
#include "azid/keychain/msalextensionspersistence.h"
#include "azid/tokencache.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFutureWatcher>
#include <QProcess>
#include <QRandomGenerator>
#include <QTimer>

#include <cstdio>
#include <map>

using namespace azid;

namespace {

const QString Environment = QStringLiteral("login.microsoftonline.com");
const QString ClientId = QStringLiteral("04b07795-8ddb-461a-bbee-02f9e1bf7b46");
const QString CacheName = QStringLiteral("stress.nocae");

template <typename T> T wait(const QFuture<T> &future)
{
    if (!future.isFinished()) {
        QEventLoop loop;
        QFutureWatcher<T> watcher;
        QObject::connect(&watcher, &QFutureWatcher<T>::finished, &loop, &QEventLoop::quit);
        watcher.setFuture(future);
        if (!future.isFinished())
            loop.exec();
    }
    return future.result();
}

void say(const QString &line)
{
    std::fprintf(stdout, "%s\n", line.toUtf8().constData());
    std::fflush(stdout);
}

[[noreturn]] void violation(const QString &what)
{
    std::fprintf(stderr, "azid-cache-stress: VIOLATION: %s\n", what.toUtf8().constData());
    std::fflush(stderr);
    std::exit(1);
}

struct Options
{
    QString mode;
    QString dir;
    QString backend = QStringLiteral("azid");
    int writers = 2;
    int writes = 5000;
    int kills = 1000;
    int accounts = 10;
    int id = 0;   // writer: which one
    int life = 0; // churn: which life
};

std::unique_ptr<CachePersistence> persistenceFor(const Options &o, std::shared_ptr<TokenCache> cache)
{
    std::unique_ptr<CachePersistence> persistence;
    if (o.backend == QLatin1String("msal-extensions")) {
        persistence = std::make_unique<CachePersistence>(
            cache, std::make_shared<MsalExtensionsPersistence>(CacheName, o.dir), CacheName);
    } else if (o.backend == QLatin1String("plain")) {
        persistence = std::make_unique<CachePersistence>(
            cache,
            std::make_shared<PlainFileStorage>(QDir(o.dir).filePath(CacheName + QStringLiteral(".json"))),
            CacheName);
    } else {
        persistence = std::make_unique<CachePersistence>(
            std::make_shared<KeychainSecretStore>(QStringLiteral("stress")), cache, CacheName,
            QDir(o.dir).filePath(CacheName + QStringLiteral(".bin")));
    }
    persistence->setLockTimeout(std::chrono::seconds(120)); // contention is the point; starving is not
    return persistence;
}

// An account whose refresh token's secret carries a value.
void put(TokenCache &cache, const QString &home, const QString &value)
{
    TokenResponseEntry entry;
    entry.clientId = ClientId;
    entry.environment = Environment;
    entry.realm = QStringLiteral("organizations");
    entry.homeAccountId = home + QStringLiteral(".stress");
    entry.scopes = {QStringLiteral("https://management.azure.com/.default")};
    entry.accessToken = Secret::fromString(QStringLiteral("at-") + value);
    entry.now = 1700000000;
    entry.expiresOn = entry.now + 3600;
    entry.refreshToken = Secret::fromString(value);
    entry.familyId = QStringLiteral("1");
    CachedAccount account;
    account.homeAccountId = entry.homeAccountId;
    account.environment = Environment;
    account.realm = entry.realm;
    account.username = home + QStringLiteral("@stress.test");
    account.accountSource = QStringLiteral("password");
    entry.account = account;
    cache.add(entry);
}

std::optional<QString> valueOf(const TokenCache &cache, const QString &home)
{
    const auto rt = cache.findRefreshToken(home + QStringLiteral(".stress"), Environment, ClientId, false);
    if (!rt)
        return std::nullopt;
    return rt->secret.revealString();
}

void check(const VoidResult &result, const QString &what)
{
    if (!result)
        violation(what + QStringLiteral(": ") + result.error().message);
}

// ---- concurrent ----------------------------------------------------------------------------------

int writer(const Options &o)
{
    auto cache = std::make_shared<TokenCache>();
    auto persistence = persistenceFor(o, cache);
    std::map<int, int> seen; // the other writers' counters, as last seen
    const QString mine = QStringLiteral("writer-%1").arg(o.id);
    int saved = 0;
    for (int i = 1; i <= o.writes; ++i) {
        check(wait(persistence->load()), QStringLiteral("writer %1: load %2").arg(o.id).arg(i));
        for (int other = 0; other < o.writers; ++other) {
            const auto value = valueOf(*cache, QStringLiteral("writer-%1").arg(other));
            const int count = value ? value->toInt() : 0;
            if (other == o.id) {
                if (count != saved)
                    violation(QStringLiteral("writer %1 saved %2 but reads %3: its update was lost")
                                  .arg(o.id)
                                  .arg(saved)
                                  .arg(count));
            } else if (count < seen[other]) {
                violation(
                    QStringLiteral("writer %1 saw writer %2's counter go back from %3 to %4: a lost update")
                        .arg(o.id)
                        .arg(other)
                        .arg(seen[other])
                        .arg(count));
            }
            seen[other] = count;
        }
        put(*cache, mine, QString::number(i));
        if (i % 50 == 0)
            put(*cache, QStringLiteral("%1-milestone-%2").arg(mine).arg(i), QStringLiteral("m"));
        check(wait(persistence->save()), QStringLiteral("writer %1: save %2").arg(o.id).arg(i));
        saved = i;
    }
    return 0;
}

int concurrent(const Options &o)
{
    QElapsedTimer clock;
    clock.start();
    std::vector<std::unique_ptr<QProcess>> children;
    for (int id = 0; id < o.writers; ++id) {
        auto child = std::make_unique<QProcess>();
        child->setProcessChannelMode(QProcess::ForwardedChannels);
        child->start(QCoreApplication::applicationFilePath(),
                     {QStringLiteral("writer"), QStringLiteral("--dir"), o.dir, QStringLiteral("--backend"),
                      o.backend, QStringLiteral("--writers"), QString::number(o.writers),
                      QStringLiteral("--writes"), QString::number(o.writes), QStringLiteral("--id"),
                      QString::number(id)});
        children.push_back(std::move(child));
    }
    bool failed = false;
    for (auto &child : children) {
        child->waitForFinished(-1);
        failed = failed || child->exitStatus() != QProcess::NormalExit || child->exitCode() != 0;
    }
    if (failed)
        violation(QStringLiteral("a writer failed (see above)"));

    auto cache = std::make_shared<TokenCache>();
    check(wait(persistenceFor(o, cache)->load()), QStringLiteral("final load"));
    for (int id = 0; id < o.writers; ++id) {
        const QString mine = QStringLiteral("writer-%1").arg(id);
        if (valueOf(*cache, mine) != QString::number(o.writes))
            violation(QStringLiteral("writer %1's counter is %2, not %3")
                          .arg(id)
                          .arg(valueOf(*cache, mine).value_or(QStringLiteral("missing")))
                          .arg(o.writes));
        for (int i = 50; i <= o.writes; i += 50) {
            if (!valueOf(*cache, QStringLiteral("%1-milestone-%2").arg(mine).arg(i)))
                violation(QStringLiteral("writer %1's milestone %2 was lost").arg(id).arg(i));
        }
    }
    say(QStringLiteral("concurrent: %1 writers x %2 writes (%3 backend): no lost update, %4 s")
            .arg(o.writers)
            .arg(o.writes)
            .arg(o.backend)
            .arg(double(clock.elapsed()) / 1000.0, 0, 'f', 1));
    return 0;
}

// ---- crash ---------------------------------------------------------------------------------------

// "<life>:<iteration>" compares by life, then iteration.
std::pair<int, int> stampOf(const QString &value)
{
    return {value.section(QLatin1Char(':'), 0, 0).toInt(), value.section(QLatin1Char(':'), 1, 1).toInt()};
}

int churn(const Options &o)
{
    auto cache = std::make_shared<TokenCache>();
    auto persistence = persistenceFor(o, cache);
    for (int i = 0;; ++i) {
        check(wait(persistence->load()), QStringLiteral("churn load"));
        const int account = i % o.accounts;
        const QString value = QStringLiteral("%1:%2").arg(o.life).arg(i);
        put(*cache, QStringLiteral("account-%1").arg(account), value);
        if (i == 0 && o.life % 10 == 0)
            put(*cache, QStringLiteral("life-%1").arg(o.life), value);
        check(wait(persistence->save()), QStringLiteral("churn save"));
        say(QStringLiteral("saved %1 %2").arg(account).arg(value)); // only after the save returned
    }
}

int crash(const Options &o)
{
    QElapsedTimer clock;
    clock.start();
    {
        auto cache = std::make_shared<TokenCache>();
        auto persistence = persistenceFor(o, cache);
        check(wait(persistence->load()), QStringLiteral("setup load"));
        for (int account = 0; account < o.accounts; ++account)
            put(*cache, QStringLiteral("account-%1").arg(account), QStringLiteral("0:0"));
        check(wait(persistence->save()), QStringLiteral("setup save"));
    }
    std::map<int, QString> reported; // per account: the newest value a writer reported saved
    QStringList lives;               // accounts added by writers and reported saved
    int saves = 0;
    for (int life = 1; life <= o.kills; ++life) {
        QProcess child;
        child.start(QCoreApplication::applicationFilePath(),
                    {QStringLiteral("churn"), QStringLiteral("--dir"), o.dir, QStringLiteral("--backend"),
                     o.backend, QStringLiteral("--accounts"), QString::number(o.accounts),
                     QStringLiteral("--life"), QString::number(life)});
        if (!child.waitForStarted(30000))
            violation(QStringLiteral("cannot start a writer"));
        // A random moment: during start-up, a load, a merge, the keychain, the write or the lock.
        QEventLoop loop;
        QTimer::singleShot(int(QRandomGenerator::global()->bounded(5, 400)), &loop, &QEventLoop::quit);
        loop.exec();
        child.kill(); // SIGKILL
        child.waitForFinished(30000);
        for (const QByteArray &line : child.readAllStandardOutput().split('\n')) {
            const QStringList parts = QString::fromUtf8(line).split(QLatin1Char(' '));
            if (parts.size() != 3 || parts.first() != QLatin1String("saved"))
                continue;
            ++saves;
            reported[parts.at(1).toInt()] = parts.at(2);
            if (life % 10 == 0 && stampOf(parts.at(2)) == std::make_pair(life, 0))
                lives << QStringLiteral("life-%1").arg(life);
        }
        const QByteArray err = child.readAllStandardError();
        if (err.contains("VIOLATION"))
            violation(QString::fromUtf8(err));

        // What any next process sees.
        auto cache = std::make_shared<TokenCache>();
        const VoidResult loaded = wait(persistenceFor(o, cache)->load());
        if (!loaded)
            violation(QStringLiteral("after kill %1 the cache does not load: %2")
                          .arg(life)
                          .arg(loaded.error().message));
        if (!QDir(o.dir).entryList({QStringLiteral("*.corrupt-*")}).isEmpty())
            violation(QStringLiteral("after kill %1 a damaged cache was kept aside").arg(life));
        for (int account = 0; account < o.accounts; ++account) {
            const auto value = valueOf(*cache, QStringLiteral("account-%1").arg(account));
            if (!value)
                violation(QStringLiteral("after kill %1 account %2 is lost").arg(life).arg(account));
            if (reported.count(account) && stampOf(*value) < stampOf(reported[account]))
                violation(QStringLiteral("after kill %1 account %2 went back from %3 to %4")
                              .arg(life)
                              .arg(account)
                              .arg(reported[account], *value));
        }
        for (const QString &added : std::as_const(lives)) {
            if (!valueOf(*cache, added))
                violation(QStringLiteral("after kill %1 the account %2 is lost").arg(life).arg(added));
        }
    }
    // One more save cleans up what the last killed writer left (a lock file, a temporary file).
    {
        auto cache = std::make_shared<TokenCache>();
        auto persistence = persistenceFor(o, cache);
        check(wait(persistence->load()), QStringLiteral("final load"));
        put(*cache, QStringLiteral("final"), QStringLiteral("0:0"));
        check(wait(persistence->save()), QStringLiteral("final save"));
    }
    const QStringList leftovers = QDir(o.dir).entryList(
        {QStringLiteral("*.tmp-*"), QStringLiteral("*.lockfile")}, QDir::Files | QDir::Hidden);
    if (!leftovers.isEmpty())
        violation(QStringLiteral("left behind: %1").arg(leftovers.join(QStringLiteral(", "))));
    say(QStringLiteral(
            "crash: %1 writers killed (%2 backend), %3 saves reported: the cache always loaded, no "
            "account lost, no token went back, %4 s")
            .arg(o.kills)
            .arg(o.backend)
            .arg(saves)
            .arg(double(clock.elapsed()) / 1000.0, 0, 'f', 1));
    return 0;
}

int usage()
{
    std::fprintf(
        stderr, "usage: azid-cache-stress concurrent|crash --dir DIR [--backend azid|msal-extensions|plain]\n"
                "       [--writers N] [--writes K] [--kills K] [--accounts A]\n");
    return 2;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    Options o;
    o.mode = args.value(1);
    for (int i = 2; i + 1 < args.size(); i += 2) {
        const QString name = args.at(i);
        const QString value = args.at(i + 1);
        if (name == QLatin1String("--dir"))
            o.dir = value;
        else if (name == QLatin1String("--backend"))
            o.backend = value;
        else if (name == QLatin1String("--writers"))
            o.writers = value.toInt();
        else if (name == QLatin1String("--writes"))
            o.writes = value.toInt();
        else if (name == QLatin1String("--kills"))
            o.kills = value.toInt();
        else if (name == QLatin1String("--accounts"))
            o.accounts = value.toInt();
        else if (name == QLatin1String("--id"))
            o.id = value.toInt();
        else if (name == QLatin1String("--life"))
            o.life = value.toInt();
        else
            return usage();
    }
    const QStringList backends{QStringLiteral("azid"), QStringLiteral("msal-extensions"),
                               QStringLiteral("plain")};
    if (o.dir.isEmpty() || !backends.contains(o.backend))
        return usage();
    QDir().mkpath(o.dir);
    if (o.mode == QLatin1String("concurrent"))
        return concurrent(o);
    if (o.mode == QLatin1String("writer"))
        return writer(o);
    if (o.mode == QLatin1String("crash"))
        return crash(o);
    if (o.mode == QLatin1String("churn"))
        return churn(o);
    return usage();
}
