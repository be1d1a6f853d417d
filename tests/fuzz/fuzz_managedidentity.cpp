// A managed identity endpoint's answer, for every hosting environment (each source's interpret(),
// tokenFromJson, parseExpiresOn): times clamped at the parser.

#include "fuzzing.h"
#include "managedidentitysource.h"
#include "oauth.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <array>
#include <memory>

using namespace azid;
using namespace azid::detail;

namespace {

// The source the hosting environment's variables select, as a credential would get it.
std::unique_ptr<ManagedIdentitySource> sourceFrom(std::initializer_list<const char *> assignments)
{
    QProcessEnvironment environment;
    for (const char *assignment : assignments) {
        const QString text = QString::fromLatin1(assignment);
        environment.insert(text.section(QLatin1Char('='), 0, 0), text.section(QLatin1Char('='), 1));
    }
    return selectManagedIdentitySource(EnvironmentReader(environment), ManagedIdentitySourceOptions{});
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size < 2)
        return 0;
    // Two bytes choose the source, the identity and the status; the rest is the body.
    static const std::array<std::unique_ptr<ManagedIdentitySource>, 6> sources = {
        sourceFrom({"IDENTITY_ENDPOINT=https://localhost:2377/t", "IDENTITY_HEADER=h",
                    "IDENTITY_SERVER_THUMBPRINT=ab"}),
        sourceFrom({"IDENTITY_ENDPOINT=http://localhost:8081/t", "IDENTITY_HEADER=h"}),
        sourceFrom({"IDENTITY_ENDPOINT=http://localhost:40342/t", "IMDS_ENDPOINT=http://localhost:40342"}),
        sourceFrom({"MSI_ENDPOINT=http://127.0.0.1:46808/t", "MSI_SECRET=s"}),
        sourceFrom({"MSI_ENDPOINT=http://localhost:50342/t"}),
        sourceFrom({}),
    };
    static const int statuses[] = {200, 200, 200, 400, 401, 403, 404, 410, 429, 500, 503, 0};
    const ManagedIdentitySource &source = *sources[data[0] % sources.size()];
    ManagedIdentityId identity;
    identity.kind = static_cast<ManagedIdentityId::Kind>((data[0] >> 4) % 4);
    if (identity.isUserAssigned())
        identity.value = QStringLiteral("00000000-0000-0000-0000-000000000001");
    HttpResponse response;
    response.status = statuses[data[1] % (sizeof statuses / sizeof statuses[0])];
    response.body = fuzz::bytes(data + 2, size - 2);

    const auto token = source.interpret(response, identity, fuzz::Now);
    if (token.ok()) {
        AZID_FUZZ_CHECK(!token.value().token.isEmpty());
        AZID_FUZZ_CHECK(token.value().expiresOn >= 0 &&
                        token.value().expiresOn <= fuzz::Now + limits::MaxEpochSeconds);
    }
    const QJsonObject body = QJsonDocument::fromJson(response.body).object();
    if (const auto info = tokenFromJson(body, fuzz::Now)) {
        AZID_FUZZ_CHECK(info->expiresOn >= 0 && info->expiresOn <= fuzz::Now + limits::MaxEpochSeconds);
        AZID_FUZZ_CHECK(!info->refreshOn || *info->refreshOn >= 0);
    }
    for (auto it = body.begin(); it != body.end(); ++it) {
        if (const auto expiresOn = parseExpiresOn(it.value()))
            AZID_FUZZ_CHECK(*expiresOn >= 0 && *expiresOn <= limits::MaxEpochSeconds);
    }
    (void)arcConfirmsIdentity(body, identity);
    return 0;
}
