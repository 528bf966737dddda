"""A module slow to import (GDEVO_TEST_SLOW_IMPORT seconds): stands in for torch in a forkserver's preload."""

import os
import time

time.sleep(float(os.environ.get("GDEVO_TEST_SLOW_IMPORT", "0")))
