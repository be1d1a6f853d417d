#include "fakeclock.h"
