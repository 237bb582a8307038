/* Names of the JNIEnv table's slots, for reports. */
#ifndef FG_JNI_NAMES_H
#define FG_JNI_NAMES_H

const char *fg_jni_env_name(unsigned slot);

#endif
