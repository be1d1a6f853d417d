// A device authorization endpoint's answer (parseDeviceCodeResponse): the polling interval stays
// within [1 s, 60 s] and the code's lifetime within a day, whatever the server says.

#include "fuzzing.h"
#include "oauth.h"

#include <algorithm>
#include <chrono>

using namespace azid;
using namespace azid::detail;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    HttpResponse response;
    // The first byte picks the status, so that error answers are read through the same entry point.
    response.status = size > 0 && data[0] == '!' ? 400 : 200;
    response.body = fuzz::bytes(data, size);
    const auto parsed = parseDeviceCodeResponse(response, QStringLiteral("Couldn't begin authentication"));
    if (!parsed.ok())
        return 0;
    const DeviceCodeResponse &code = parsed.value();
    AZID_FUZZ_CHECK(!code.userCode.isEmpty() && !code.deviceCode.isEmpty() &&
                    !code.verificationUri.isEmpty());
    AZID_FUZZ_CHECK(code.interval >= limits::MinPollInterval && code.interval <= limits::MaxPollInterval);
    AZID_FUZZ_CHECK(code.expiresIn >= 0 && code.expiresIn <= limits::MaxDeviceCodeLifetime);
    // What DeviceCodeCredential does with them: a deadline, and a timer in milliseconds.
    const qint64 deadline = fuzz::Now + code.expiresIn;
    const auto timer = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::seconds(std::min(code.interval + 5, limits::MaxPollInterval)));
    AZID_FUZZ_CHECK(deadline >= fuzz::Now && timer.count() > 0 && timer.count() <= 60000);
    return 0;
}
