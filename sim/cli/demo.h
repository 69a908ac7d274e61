/* `mmulab demo`: a seeded end-to-end run on the model with a readable summary. */
#ifndef MMULAB_DEMO_H
#define MMULAB_DEMO_H
int demo_main(int argc, char **argv);
#endif
