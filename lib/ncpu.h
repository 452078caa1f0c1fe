/* ncpu.h: how many cores this process may run on. */
#ifndef NCPU_H
#define NCPU_H

/* With one, a second thread only takes turns with the first. */
int ncpu(void);

#endif
