// Storage benchmarks (numbers in the README, run by scripts/bench.sh): loading a persisted token
// cache of 1,000 accounts with 5 scopes each (read, AES-256-GCM decrypt, parse, index) and writing it
// (merge check under the lock file, serialise, encrypt, atomic replace with fsync), also after another
// process wrote it (read, decrypt, three-way merge, write). The file's key comes from a SecretStore in
// memory: the keychain's one round trip is measured with azid-cli token.
#include "azid/keychain/cachepersistence.h"
#include "azid/keychain/memorysecretstore.h"
#include "azid/tokencache.h"

#include <benchmark/benchmark.h>

#include <QCoreApplication>
#include <QEventLoop>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QTemporaryDir>

#include <cstdio>
#include <memory>

using namespace azid;

namespace {

constexpr int Scopes = 5;
const QString CacheName = QStringLiteral("bench.cache.nocae");

template <typename T> T await(QFuture<T> future)
{
    if (!future.isFinished()) {
        QFutureWatcher<T> watcher;
        QEventLoop loop;
        QObject::connect(&watcher, &QFutureWatcher<T>::finished, &loop, &QEventLoop::quit);
        watcher.setFuture(future);
        if (!future.isFinished())
            loop.exec();
    }
    return future.result();
}

// Token values about as long as Entra's (an access token is a JWT of 1-2 KB).
Secret filler(const QString &prefix, int length)
{
    QString value = prefix;
    while (value.size() < length)
        value += QStringLiteral("abcdefghijklmnopqrstuvwxyz0123456789-_");
    value.truncate(length);
    return Secret::fromString(value);
}

// Accounts `first` to `first + accounts - 1`.
void fill(TokenCache &cache, int accounts, int first = 0)
{
    const qint64 now = 1800000000;
    for (int a = first; a < first + accounts; ++a) {
        const QString user = QStringLiteral("user%1").arg(a);
        for (int s = 0; s < Scopes; ++s) {
            TokenResponseEntry entry;
            entry.clientId = QStringLiteral("04b07795-8ddb-461a-bbee-02f9e1bf7b46");
            entry.environment = QStringLiteral("login.microsoftonline.com");
            entry.realm = QStringLiteral("72f988bf-86f1-41af-91ab-2d7cd011db47");
            entry.homeAccountId = user + QStringLiteral(".72f988bf-86f1-41af-91ab-2d7cd011db47");
            entry.scopes = {QStringLiteral("https://resource%1.example/.default").arg(s)};
            entry.accessToken = filler(QStringLiteral("eyJ0eXAiOiJKV1Qi.%1.%2.").arg(a).arg(s), 1400);
            entry.now = now;
            entry.expiresOn = now + 3600;
            entry.refreshToken = filler(QStringLiteral("0.rt.%1.").arg(a), 900);
            CachedAccount account;
            account.homeAccountId = entry.homeAccountId;
            account.environment = entry.environment;
            account.realm = entry.realm;
            account.localAccountId = user;
            account.username = user + QStringLiteral("@contoso.example");
            account.accountSource = QStringLiteral("authorization_code");
            entry.account = account;
            cache.add(entry);
        }
    }
}

struct StoredCache
{
    QTemporaryDir dir;
    std::shared_ptr<MemorySecretStore> keys = std::make_shared<MemorySecretStore>();
    QString path;

    explicit StoredCache(int accounts)
    {
        path = dir.filePath(CacheName);
        auto cache = std::make_shared<TokenCache>();
        fill(*cache, accounts);
        CachePersistence persistence(keys, cache, CacheName, path);
        const VoidResult saved = await(persistence.save());
        if (!saved.ok())
            std::fprintf(stderr, "bench_storage: %s\n", qPrintable(saved.error().message));
    }
};

void BM_LoadCache(benchmark::State &state)
{
    StoredCache stored(int(state.range(0)));
    for (auto _ : state) {
        auto cache = std::make_shared<TokenCache>();
        auto persistence = std::make_unique<CachePersistence>(stored.keys, cache, CacheName, stored.path);
        const VoidResult loaded = await(persistence->load());
        if (!loaded.ok() || cache->accessTokenCount() != state.range(0) * Scopes) {
            state.SkipWithError("the cache did not load");
            break;
        }
        state.PauseTiming(); // freeing the cache is not part of loading it
        persistence.reset();
        cache.reset();
        state.ResumeTiming();
    }
    state.counters["file_MiB"] = double(QFileInfo(stored.path).size()) / (1024.0 * 1024.0);
}
BENCHMARK(BM_LoadCache)
    ->Arg(1)
    ->Arg(100)
    ->Arg(200)
    ->Arg(1000)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond); // all four sizes: scripts/bench-accounts.sh prints them

// The parsing and indexing part of loading alone: the cache's JSON text into an empty cache.
void BM_ParseCache(benchmark::State &state)
{
    TokenCache filled;
    fill(filled, int(state.range(0)));
    const QByteArray json = filled.serialize();
    for (auto _ : state) {
        auto cache = std::make_unique<TokenCache>();
        if (!cache->deserialize(json).ok() || cache->accessTokenCount() != state.range(0) * Scopes) {
            state.SkipWithError("the cache did not parse");
            break;
        }
        state.PauseTiming();
        cache.reset();
        state.ResumeTiming();
    }
}
BENCHMARK(BM_ParseCache)->Arg(1000)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_SaveCache(benchmark::State &state)
{
    StoredCache stored(int(state.range(0)));
    auto cache = std::make_shared<TokenCache>();
    CachePersistence persistence(stored.keys, cache, CacheName, stored.path);
    if (!await(persistence.load()).ok()) {
        state.SkipWithError("the cache did not load");
        return;
    }
    for (auto _ : state) {
        state.PauseTiming();
        fill(*cache, 1); // one changed account: the whole file is written again
        state.ResumeTiming();
        const VoidResult saved = await(persistence.save());
        if (!saved.ok()) {
            state.SkipWithError("the cache was not saved");
            break;
        }
    }
}
BENCHMARK(BM_SaveCache)->Arg(1000)->UseRealTime()->Unit(benchmark::kMillisecond);

// A save after another process wrote the file: read and decrypt it, three-way merge it with the cache
// and what was last seen, write the result.
void BM_SaveAfterAnotherWriter(benchmark::State &state)
{
    StoredCache stored(int(state.range(0)));
    auto cache = std::make_shared<TokenCache>();
    auto otherCache = std::make_shared<TokenCache>();
    CachePersistence persistence(stored.keys, cache, CacheName, stored.path);
    CachePersistence other(stored.keys, otherCache, CacheName, stored.path);
    if (!await(persistence.load()).ok() || !await(other.load()).ok()) {
        state.SkipWithError("the cache did not load");
        return;
    }
    int added = 0;
    for (auto _ : state) {
        state.PauseTiming();
        fill(*otherCache, 1, 1000000 + added); // accounts of their own: each save has news
        const bool otherSaved = await(other.save()).ok();
        fill(*cache, 1, 2000000 + added);
        ++added;
        state.ResumeTiming();
        const VoidResult saved = await(persistence.save());
        if (!otherSaved || !saved.ok()) {
            state.SkipWithError("the cache was not saved");
            break;
        }
        state.PauseTiming();
        const bool otherLoaded = await(other.load()).ok(); // so that its next save is one change again
        state.ResumeTiming();
        if (!otherLoaded) {
            state.SkipWithError("the cache did not load");
            break;
        }
    }
}
BENCHMARK(BM_SaveAfterAnotherWriter)->Arg(1000)->UseRealTime()->Unit(benchmark::kMillisecond);

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
