/* main.c - STUB */
#include <stdio.h>
#include "pyverify.h"
int main(void) { puts(PYVERIFY_VERSION); return 0; }
