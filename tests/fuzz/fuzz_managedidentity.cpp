// A managed identity endpoint's answer, for every hosting environment
// (interpretManagedIdentityResponse, tokenFromJson, parseExpiresOn): times clamped at the parser.

#include "fuzzing.h"
#include "managedidentitysources.h"
#include "oauth.h"

#include <QJsonDocument>
#include <QJsonObject>

using namespace azid;
using namespace azid::detail;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size < 2)
        return 0;
    // Two bytes choose the source, the identity and the status; the rest is the body.
    static const ManagedIdentitySource sources[] = {
        ManagedIdentitySource::ServiceFabric, ManagedIdentitySource::AppService,
        ManagedIdentitySource::AzureArc,      ManagedIdentitySource::AzureMl,
        ManagedIdentitySource::CloudShell,    ManagedIdentitySource::Imds};
    static const int statuses[] = {200, 200, 200, 400, 401, 403, 404, 410, 429, 500, 503, 0};
    const ManagedIdentitySource source = sources[data[0] % (sizeof sources / sizeof sources[0])];
    ManagedIdentityId identity;
    identity.kind = static_cast<ManagedIdentityId::Kind>((data[0] >> 4) % 4);
    if (identity.isUserAssigned())
        identity.value = QStringLiteral("00000000-0000-0000-0000-000000000001");
    HttpResponse response;
    response.status = statuses[data[1] % (sizeof statuses / sizeof statuses[0])];
    response.body = fuzz::bytes(data + 2, size - 2);

    const auto token = interpretManagedIdentityResponse(source, response, identity, fuzz::Now);
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
