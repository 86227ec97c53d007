/* Kernel-mode exceptions: the IDT's 32 exception gates and the report (see exceptions.c). */
#ifndef CAPSID_EXCEPTIONS_H
#define CAPSID_EXCEPTIONS_H

void exceptions_install(void);

#endif
