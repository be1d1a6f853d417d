// What an authority or resource says when it refuses: OAuth error bodies (errorFromResponse), the
// WWW-Authenticate claims challenges people paste into the inspector (parseClaimsChallenge), Azure
// Arc's challenge, Retry-After, and the claims Azid merges its capabilities into.

#include "azid/model/jwt.h"
#include "fuzzing.h"
#include "httpclient.h"
#include "managedidentitysources.h"
#include "oauth.h"

using namespace azid;
using namespace azid::detail;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArray input = fuzz::bytes(data, size);
    const QString text = QString::fromUtf8(input);

    static const int statuses[] = {400, 401, 403, 429, 500, 503};
    HttpResponse response;
    response.status = statuses[size % (sizeof statuses / sizeof statuses[0])];
    response.body = input;
    const AuthError error = errorFromResponse(response, QStringLiteral("Authentication failed"));
    AZID_FUZZ_CHECK(error.kind == ErrorKind::ClientAuthentication && !error.message.isEmpty());

    const model::ClaimsChallenge challenge = model::parseClaimsChallenge(text);
    AZID_FUZZ_CHECK(challenge.claims.isEmpty() != challenge.problem.isEmpty());

    (void)arcRealmFromChallenge(input);
    const qint64 retryAfter = HttpClient::parseRetryAfter(input, fuzz::Now);
    AZID_FUZZ_CHECK(retryAfter >= -1);
    (void)mergeClaimsWithCapabilities(text, {QStringLiteral("CP1")});
    return 0;
}
