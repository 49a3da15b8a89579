/* The whole program of the "hello" image: no C library, just two system calls. */
static const char message[] =
    "Hello from a tiny jbox image!\n"
    "This image is one static program of a few hundred bytes: no shell, no libc.\n"
    "An image only needs the files its program uses.\n";

static long sys3(long n, long a, long b, long c) {
    long ret;
#if defined(__x86_64__)
    __asm__ volatile("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
#elif defined(__aarch64__)
    register long x8 __asm__("x8") = n, x0 __asm__("x0") = a, x1 __asm__("x1") = b, x2 __asm__("x2") = c;
    __asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
    ret = x0;
#else
#error "hello.c knows x86_64 and aarch64"
#endif
    return ret;
}

#if defined(__x86_64__)
enum { SYS_write = 1, SYS_exit = 60 };
#else
enum { SYS_write = 64, SYS_exit = 93 };
#endif

void _start(void) {
    sys3(SYS_write, 1, (long) message, sizeof message - 1);
    sys3(SYS_exit, 0, 0, 0);
    for (;;) {}
}
