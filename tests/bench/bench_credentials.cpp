// Speed of the credentials library: cached getToken through the public async API for each kind of
// credential, cache look-ups as the cache grows, a network token request against the same POST
// with curl over one kept-alive connection, the first token of a new credential in a warm process,
// and many concurrent requests on one expired key. Starts azid-sandbox and azid-msi-emulator.
#include "azid/authorityhosts.h"
#include "azid/certificatecredential.h"
#include "azid/chainedtokencredential.h"
#include "azid/clientsecretcredential.h"
#include "azid/defaultazurecredential.h"
#include "azid/devicecodecredential.h"
#include "azid/managedidentitycredential.h"
#include "azid/usernamepasswordcredential.h"

#include "fakeclock.h"
#include "msiemulator.h"
#include "sandbox.h"
#include "testwait.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QFile>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QProcess>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QTemporaryDir>
#include <QUrlQuery>

#include <algorithm>

#include <benchmark/benchmark.h>

using namespace azid;

namespace {
const QString Arm = QStringLiteral("https://management.azure.com/.default");
test::Sandbox *g_sandbox = nullptr;
test::MsiEmulator *g_msiEmulator = nullptr;
QString g_certificateFile; // key and certificate (PEM) of CertificateApp, registered with the sandbox
test::FakeClock g_clock;

UsernamePasswordCredentialOptions aliceOptions(std::shared_ptr<TokenCache> cache)
{
    UsernamePasswordCredentialOptions o;
    o.authority = g_sandbox->authority();
    o.disableInstanceDiscovery = true;
    o.http.caBundleFile = g_sandbox->caFile();
    o.clock = &g_clock;
    o.cache = std::move(cache);
    o.username = QStringLiteral("alice@contoso.test");
    o.password = Secret::fromString(QStringLiteral("alice-password-1"));
    return o;
}

// The kinds of credential whose cached getToken is measured.
enum class Kind { User, ClientSecret, Certificate, ManagedIdentity, Chained, Default };

const QString Contoso = QStringLiteral("72f988bf-86f1-41af-91ab-2d7cd011db47");
const QString Daemon = QStringLiteral("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
const Secret DaemonSecret = Secret::fromString(QStringLiteral("sandbox-client-secret-1"));
const QString CertificateApp = QStringLiteral("bbbbbbbb-0000-4000-8000-000000000017");

template <typename Options> Options sandboxOptions()
{
    Options o;
    o.authority = g_sandbox->authority();
    o.disableInstanceDiscovery = true;
    o.http.caBundleFile = g_sandbox->caFile();
    o.clock = &g_clock;
    return o;
}

std::shared_ptr<TokenCredential> clientSecretCredential()
{
    return std::make_shared<ClientSecretCredential>(Contoso, Daemon, DaemonSecret,
                                                    sandboxOptions<ClientSecretCredentialOptions>());
}

std::shared_ptr<TokenCredential> managedIdentityCredential()
{
    const QJsonObject settings = g_msiEmulator->settings();
    QProcessEnvironment environment;
    environment.insert(QStringLiteral("IDENTITY_ENDPOINT"),
                       g_msiEmulator->endpoint(QStringLiteral("/msi/token")));
    environment.insert(QStringLiteral("IDENTITY_HEADER"),
                       settings.value(QStringLiteral("identity_header")).toString());
    ManagedIdentityCredentialOptions o;
    o.environment = environment;
    o.clock = &g_clock;
    return std::make_shared<ManagedIdentityCredential>(o);
}

std::shared_ptr<TokenCredential> defaultCredential()
{
    QProcessEnvironment environment;
    environment.insert(QStringLiteral("AZURE_TENANT_ID"), Contoso);
    environment.insert(QStringLiteral("AZURE_CLIENT_ID"), Daemon);
    environment.insert(QStringLiteral("AZURE_CLIENT_SECRET"), DaemonSecret.revealString());
    DefaultAzureCredentialOptions o;
    o.environment = environment;
    o.authority = g_sandbox->authority();
    o.disableInstanceDiscovery = true;
    o.http.caBundleFile = g_sandbox->caFile();
    o.clock = &g_clock;
    return std::make_shared<DefaultAzureCredential>(o);
}

std::shared_ptr<TokenCredential> makeCredential(Kind kind)
{
    switch (kind) {
    case Kind::User:
        return std::make_shared<UsernamePasswordCredential>(aliceOptions(std::make_shared<TokenCache>()));
    case Kind::ClientSecret:
        return clientSecretCredential();
    case Kind::Certificate:
        return std::make_shared<CertificateCredential>(Contoso, CertificateApp, g_certificateFile,
                                                       sandboxOptions<CertificateCredentialOptions>());
    case Kind::ManagedIdentity:
        return managedIdentityCredential();
    case Kind::Chained:
        return std::make_shared<ChainedTokenCredential>(
            QList<std::shared_ptr<TokenCredential>>{clientSecretCredential(), makeCredential(Kind::User)});
    case Kind::Default:
        return defaultCredential();
    }
    return {};
}

// A cached getToken through the public async API: the first request gets the token from the
// authority (or the managed identity endpoint), every measured one finds it.
void BM_CachedGetToken(benchmark::State &state, Kind kind)
{
    const std::shared_ptr<TokenCredential> credential = makeCredential(kind);
    const TokenRequestOptions request{{Arm}, {}, {}, false};
    const TokenResult first = test::await(credential->getTokenInfo(request));
    if (!first.ok()) {
        state.SkipWithError(qPrintable(first.error().toString()));
        return;
    }
    for (auto _ : state) {
        QFuture<TokenResult> future = credential->getTokenInfo(request);
        TokenResult result = future.result(); // a cache hit is ready at once
        benchmark::DoNotOptimize(result);
    }
}
BENCHMARK_CAPTURE(BM_CachedGetToken, user, Kind::User);
BENCHMARK_CAPTURE(BM_CachedGetToken, client_secret, Kind::ClientSecret);
BENCHMARK_CAPTURE(BM_CachedGetToken, certificate, Kind::Certificate);
BENCHMARK_CAPTURE(BM_CachedGetToken, managed_identity, Kind::ManagedIdentity);
BENCHMARK_CAPTURE(BM_CachedGetToken, chained, Kind::Chained);
BENCHMARK_CAPTURE(BM_CachedGetToken, default, Kind::Default);

void BM_CacheLookup(benchmark::State &state)
{
    TokenCache cache;
    const qint64 now = 1'700'000'000;
    const auto entries = state.range(0);
    for (qint64 i = 0; i < entries; ++i) {
        TokenResponseEntry e;
        e.clientId = azid::DeveloperSignOnClientId;
        e.environment = QStringLiteral("login.microsoftonline.com");
        e.realm = QStringLiteral("organizations");
        e.homeAccountId = QStringLiteral("uid%1.utid").arg(i);
        e.scopes = {Arm};
        e.accessToken = Secret(QByteArray("token-") + QByteArray::number(i));
        e.now = now;
        e.expiresOn = now + 3600;
        cache.add(e);
    }
    const QString home = QStringLiteral("uid%1.utid").arg(entries / 2);
    const QStringList scopes{Arm};
    for (auto _ : state) {
        auto found = cache.findAccessToken(home, QStringLiteral("login.microsoftonline.com"),
                                           azid::DeveloperSignOnClientId, QStringLiteral("organizations"),
                                           scopes, now);
        benchmark::DoNotOptimize(found);
    }
}
BENCHMARK(BM_CacheLookup)->Arg(10)->Arg(100)->Arg(1000)->Arg(10000);

const QString NbfClaims = QStringLiteral("{\"access_token\":{\"nbf\":{\"essential\":true}}}");

// A user's token request that reaches the authority every time: claims bypass the access-token
// cache, so each call redeems (and rotates) the refresh token.
void BM_NetworkTokenRequest_User(benchmark::State &state)
{
    UsernamePasswordCredential credential(aliceOptions(std::make_shared<TokenCache>()));
    if (!test::await(credential.getTokenInfo(TokenRequestOptions{{Arm}, {}, {}, false})).ok()) {
        state.SkipWithError("sign-in against azid-sandbox failed");
        return;
    }
    const TokenRequestOptions request{{Arm}, NbfClaims, {}, false};
    for (auto _ : state) {
        TokenResult result = test::await(credential.getTokenInfo(request));
        if (!result.ok()) {
            state.SkipWithError(qPrintable(result.error().toString()));
            return;
        }
    }
}
BENCHMARK(BM_NetworkTokenRequest_User)->UseRealTime()->Unit(benchmark::kMillisecond);

// An app's token request that reaches the authority every time (claims bypass the cache): the same
// client credentials POST as BM_CurlKeepAlivePost's.
void BM_NetworkTokenRequest(benchmark::State &state)
{
    const std::shared_ptr<TokenCredential> credential = clientSecretCredential();
    const TokenRequestOptions request{{Arm}, NbfClaims, {}, false};
    if (!test::await(credential->getTokenInfo(request)).ok()) {
        state.SkipWithError("the first token request to azid-sandbox failed");
        return;
    }
    for (auto _ : state) {
        TokenResult result = test::await(credential->getTokenInfo(request));
        if (!result.ok()) {
            state.SkipWithError(qPrintable(result.error().toString()));
            return;
        }
    }
}
BENCHMARK(BM_NetworkTokenRequest)->UseRealTime()->Unit(benchmark::kMillisecond);

// The form ClientSecretCredential posts for a token with claims.
QString clientCredentialsBody()
{
    return QStringLiteral("grant_type=client_credentials&client_id=%1&scope=%2&claims=%3&client_secret=%4")
        .arg(Daemon, QString::fromLatin1(QUrl::toPercentEncoding(Arm)),
             QString::fromLatin1(QUrl::toPercentEncoding(NbfClaims)), DaemonSecret.revealString());
}

// The floor: the same POST with curl, one process and one kept-alive connection for 200 requests;
// the iteration's time is their median (curl's own time_total of each).
void BM_CurlKeepAlivePost(benchmark::State &state)
{
    QUrl url = g_sandbox->url();
    url.setPath(QStringLiteral("/%1/oauth2/v2.0/token").arg(Contoso));
    const QString body = clientCredentialsBody();
    QStringList arguments;
    for (int i = 0; i < 200; ++i) {
        if (i > 0)
            arguments << QStringLiteral("--next");
        arguments << QStringLiteral("--silent") << QStringLiteral("--fail") << QStringLiteral("--cacert")
                  << g_sandbox->caFile() << QStringLiteral("--output") << QStringLiteral("/dev/null")
                  << QStringLiteral("--write-out") << QStringLiteral("%{time_total}\\n")
                  << QStringLiteral("--data") << body << url.toString();
    }
    for (auto _ : state) {
        QProcess curl;
        curl.start(QStringLiteral("curl"), arguments);
        if (!curl.waitForFinished(120000) || curl.exitCode() != 0) {
            state.SkipWithError("curl failed");
            return;
        }
        QList<double> seconds;
        for (const QByteArray &line : curl.readAllStandardOutput().split('\n')) {
            if (!line.isEmpty())
                seconds.append(line.toDouble());
        }
        std::sort(seconds.begin(), seconds.end());
        state.SetIterationTime(seconds.value(seconds.size() / 2));
    }
}
BENCHMARK(BM_CurlKeepAlivePost)->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(1);

// The same POST through a bare QNetworkAccessManager over one kept-alive connection: what Qt's
// network stack costs by itself (its HTTP thread and the hand-overs to it), for the profile.
void BM_QtKeepAlivePost(benchmark::State &state)
{
    QNetworkAccessManager network;
    network.setProxy(QNetworkProxy::NoProxy);
    QUrl url = g_sandbox->url();
    url.setPath(QStringLiteral("/%1/oauth2/v2.0/token").arg(Contoso));
    QNetworkRequest request(url);
    QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
    ssl.addCaCertificates(QSslCertificate::fromPath(g_sandbox->caFile()));
    request.setSslConfiguration(ssl);
    request.setHeader(QNetworkRequest::ContentTypeHeader,
                      QStringLiteral("application/x-www-form-urlencoded"));
    const QByteArray body = clientCredentialsBody().toUtf8();
    for (auto _ : state) {
        QNetworkReply *reply = network.post(request, body);
        QEventLoop loop;
        QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        loop.exec();
        const bool ok = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() == 200;
        benchmark::DoNotOptimize(reply->readAll());
        delete reply;
        if (!ok) {
            state.SkipWithError("the POST failed");
            return;
        }
    }
}
BENCHMARK(BM_QtKeepAlivePost)->UseRealTime()->Unit(benchmark::kMillisecond);

// The first token of a new credential in a process that already has one for the same authority:
// made, used once and deleted, each with a cache of its own. The counters are what azid-sandbox
// saw per 200 credentials: discovery requests (instance discovery and OpenID configuration) and
// TLS handshakes.
void BM_NewCredentialFirstToken(benchmark::State &state)
{
    auto newCredentialToken = []() {
        ClientSecretCredential credential(Contoso, Daemon, DaemonSecret,
                                          sandboxOptions<ClientSecretCredentialOptions>());
        return test::await(credential.getTokenInfo(TokenRequestOptions{{Arm}, {}, {}, false}));
    };
    if (!newCredentialToken().ok()) {
        state.SkipWithError("the first token request to azid-sandbox failed");
        return;
    }
    g_sandbox->clearRequests();
    qint64 made = 0;
    for (auto _ : state) {
        if (!newCredentialToken().ok()) {
            state.SkipWithError("a token request to azid-sandbox failed");
            return;
        }
        ++made;
    }
    const double per200 = 200.0 / std::max<qint64>(made, 1);
    state.counters["tls_handshakes_per_200"] = g_sandbox->countTlsHandshakes() * per200;
    state.counters["discovery_requests_per_200"] =
        (g_sandbox->countRequests(QStringLiteral("openid-configuration")) +
         g_sandbox->countRequests(QStringLiteral("instance-discovery"))) *
        per200;
}
BENCHMARK(BM_NewCredentialFirstToken)->UseRealTime()->Unit(benchmark::kMillisecond)->Iterations(200);

// 1,000 requests for one expired key: the counter says how many reached the authority.
void BM_ConcurrentExpiredKey(benchmark::State &state)
{
    UsernamePasswordCredential credential(aliceOptions(std::make_shared<TokenCache>()));
    if (!test::await(credential.getTokenInfo(TokenRequestOptions{{Arm}, {}, {}, false})).ok()) {
        state.SkipWithError("sign-in against azid-sandbox failed");
        return;
    }
    int networkRequests = 0;
    for (auto _ : state) {
        g_clock.advance(3600);
        g_sandbox->clearRequests();
        QList<QFuture<TokenResult>> futures;
        futures.reserve(1000);
        for (int i = 0; i < 1000; ++i)
            futures.append(credential.getTokenInfo(TokenRequestOptions{{Arm}, {}, {}, false}));
        for (const auto &f : futures)
            benchmark::DoNotOptimize(test::await(f));
        networkRequests = g_sandbox->countRequests(QStringLiteral("token"));
    }
    state.counters["token_requests_per_1000"] = networkRequests;
}
BENCHMARK(BM_ConcurrentExpiredKey)->UseRealTime()->Unit(benchmark::kMillisecond)->Iterations(5);

// A self-signed certificate for CertificateApp, registered with the sandbox; false when that failed.
bool registerCertificateApp(const QTemporaryDir &files)
{
    const QString key = files.filePath(QStringLiteral("app.key"));
    const QString certificate = files.filePath(QStringLiteral("app.crt"));
    QProcess openssl;
    openssl.start(QStringLiteral("openssl"),
                  {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
                   QStringLiteral("rsa:2048"), QStringLiteral("-nodes"), QStringLiteral("-keyout"), key,
                   QStringLiteral("-out"), certificate, QStringLiteral("-days"), QStringLiteral("2"),
                   QStringLiteral("-subj"), QStringLiteral("/CN=bench")});
    if (!openssl.waitForFinished(60000) || openssl.exitCode() != 0)
        return false;
    QFile keyFile(key), certificateFile(certificate);
    if (!keyFile.open(QIODevice::ReadOnly) || !certificateFile.open(QIODevice::ReadOnly))
        return false;
    const QByteArray certificatePem = certificateFile.readAll();
    g_certificateFile = files.filePath(QStringLiteral("app.pem"));
    QFile pem(g_certificateFile);
    if (!pem.open(QIODevice::WriteOnly) || pem.write(keyFile.readAll() + certificatePem) < 0)
        return false;
    pem.close();
    const QJsonObject registration{
        {QStringLiteral("client_id"), CertificateApp},
        {QStringLiteral("name"), QStringLiteral("bench certificate app")},
        {QStringLiteral("certificates"), QJsonArray{QString::fromLatin1(certificatePem)}}};
    return g_sandbox->control("POST", QStringLiteral("apps"), QJsonDocument(registration))
        .object()
        .value(QStringLiteral("ok"))
        .toBool();
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    test::Sandbox sandbox;
    if (!sandbox.start({QStringLiteral("--access-token-lifetime"), QStringLiteral("3600")})) {
        fprintf(stderr, "bench_credentials: %s\n", qPrintable(sandbox.errorString()));
        return 1;
    }
    g_sandbox = &sandbox;
    test::MsiEmulator msiEmulator;
    if (!msiEmulator.start()) {
        fprintf(stderr, "bench_credentials: %s\n", qPrintable(msiEmulator.errorString()));
        return 1;
    }
    g_msiEmulator = &msiEmulator;
    QTemporaryDir files;
    if (!files.isValid() || !registerCertificateApp(files)) {
        fprintf(stderr, "bench_credentials: could not register a certificate app with azid-sandbox\n");
        return 1;
    }
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
